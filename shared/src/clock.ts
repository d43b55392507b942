/** Time, injected: loops and stores take a Clock so tests control it. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or early (without error) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        signal?.removeEventListener("abort", done);
        clearTimeout(t);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** Bounded exponential backoff with full jitter: attempt 0 → up to `base`, doubling to `max`. */
export function backoffDelay(
  attempt: number,
  opts: { baseMs: number; maxMs: number; random?: () => number },
): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(cap / 2 + (cap / 2) * r);
}
