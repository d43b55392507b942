/**
 * An expectation's state over time: a new state takes over only after it was seen `hysteresis` intervals in
 * a row, so one noisy sample neither raises nor clears an alarm. Pure.
 */
import type { Fulfilment } from "@nephoran/shared";

export interface Tracked {
  readonly state: Fulfilment;
  /** When it entered `state`. */
  readonly since: string;
  /** A different state seen in the last intervals, and how many in a row. */
  readonly pending?: { readonly state: Fulfilment; readonly count: number };
}

/** The tracked state after one more observation at `now`. A first one starts from Unknown. */
export function observe(
  prev: Tracked | undefined,
  seen: Fulfilment,
  hysteresis: number,
  now: string,
): Tracked {
  const cur: Tracked = prev ?? { state: "Unknown", since: now };
  if (seen === cur.state) return { state: cur.state, since: cur.since };
  const count = cur.pending?.state === seen ? cur.pending.count + 1 : 1;
  if (count >= hysteresis) return { state: seen, since: now };
  return { state: cur.state, since: cur.since, pending: { state: seen, count } };
}
