/** Figures the benchmarks report. */

/** The middle value (the upper of the two middles for an even count); NaN for none. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
