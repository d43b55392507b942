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

/**
 * A clock for tests: time moves only when `advance` is called, and sleepers wake when their time comes (or
 * their signal aborts). Loops that sleep on it never spin and never wait for real time.
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: { at: number; wake: () => void }[] = [];

  constructor(start: Date | string = "2026-01-01T00:00:00Z") {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Sets the time without waking anyone (a wall-clock jump). */
  set(at: Date): void {
    this.#now = at.getTime();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const aborted = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      const sleeper = {
        at: this.#now + ms,
        wake: () => {
          signal?.removeEventListener("abort", aborted);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener("abort", aborted, { once: true });
    });
  }

  /** Moves time on by `ms`, waking every sleeper whose time has come, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#sleepers.filter((s) => s.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      next.wake();
      await new Promise((r) => setImmediate(r));
    }
    this.#now = end;
  }
}

/**
 * Runs `fn` every `ms` on `clock` until `signal` aborts; a throw is reported to `onError` and the loop goes
 * on. Resolves when the loop has ended, so its owner can await it on stop.
 */
export async function every(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  fn: () => void | Promise<void>,
  onError: (e: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    await clock.sleep(ms, signal);
    if (signal.aborted) return;
    try {
      await fn();
    } catch (e: unknown) {
      onError(e);
    }
  }
}
