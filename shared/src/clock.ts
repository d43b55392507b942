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

/** A wait drawn at random from the upper half of `capMs`: waits that begin together spread out. */
export function jittered(capMs: number, random: () => number = Math.random): number {
  return Math.round(capMs / 2 + (capMs / 2) * random());
}

/** Bounded exponential backoff, jittered: attempt 0 → up to `base`, doubling to `max`. */
export function backoffDelay(
  attempt: number,
  opts: { baseMs: number; maxMs: number; random?: () => number },
): number {
  return jittered(Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30)), opts.random);
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

  /**
   * Moves time on by `ms`, waking every sleeper whose time has come, in order. Loops woken before the call
   * take their next step (and go back to sleep) first.
   */
  async advance(ms: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
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

/** The longest a timer can be set for (about 24.8 days); longer sleeps are taken in steps. */
const LONGEST_SLEEP_MS = 2 ** 31 - 1;

/** Why a nap ended early: one value, so a wake costs no new error (an abort without a reason makes one). */
const WOKEN = Symbol("woken");

/**
 * A supervised loop that sleeps until something is due, not on a fixed tick: `due()` names the next moment
 * (ms on `clock`; Infinity: nothing until woken), `fn` does what is due then, and the loop asks again. When
 * something may have become due sooner, `wake()` ends the sleep early. A throw is reported to `onError` and
 * the loop goes on; should `fn` leave `due()` in the past, the loop waits `floorMs` rather than spin.
 */
export class Alarm {
  /** When the current sleep ends (Infinity: not sleeping, or until woken). */
  #at = Infinity;
  /** Ends the current sleep early; kept from one sleep to the next until a wake uses it up. */
  #nap = new AbortController();
  #sleeping = false;

  constructor(
    private readonly clock: Clock,
    private readonly due: () => number,
    private readonly fn: () => void | Promise<void>,
    private readonly onError: (e: unknown) => void,
    private readonly floorMs = 50,
  ) {}

  /** Runs until `signal` aborts; resolves when the loop has ended, so its owner can await it on stop. */
  async run(signal: AbortSignal): Promise<void> {
    const stop = () => this.#nap.abort(WOKEN);
    signal.addEventListener("abort", stop, { once: true });
    try {
      let ran = false;
      while (!signal.aborted) {
        const now = this.clock.now().getTime();
        const due = this.due();
        const wait = due <= now ? (ran ? this.floorMs : 0) : Math.min(due - now, LONGEST_SLEEP_MS);
        if (wait > 0) {
          this.#at = now + wait;
          if (this.#nap.signal.aborted) this.#nap = new AbortController();
          this.#sleeping = true;
          await this.clock.sleep(wait, this.#nap.signal);
          this.#sleeping = false;
          this.#at = Infinity;
          if (signal.aborted) return;
          if (this.due() > this.clock.now().getTime()) {
            ran = false;
            continue;
          }
        }
        ran = true;
        try {
          await this.fn();
        } catch (e: unknown) {
          this.onError(e);
        }
      }
    } finally {
      signal.removeEventListener("abort", stop);
    }
  }

  /** Something may be due sooner than the loop sleeps for: it looks again now. */
  wake(): void {
    if (this.#sleeping && this.due() < this.#at) this.#nap.abort(WOKEN);
  }
}
