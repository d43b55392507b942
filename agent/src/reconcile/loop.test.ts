import { describe, expect, it } from "vitest";
import { pino } from "pino";
import type { Clock } from "@nephoran/shared";
import { backoffDelay } from "@nephoran/shared";
import type { ReconcileResult } from "./reconciler";
import { ReconcileLoop } from "./loop";

/** A clock whose sleeps are recorded and resolved by the test, never by real time. */
function fakeClock() {
  let now = 0;
  const sleeps: { ms: number; resolve: () => void }[] = [];
  const clock: Clock = {
    now: () => new Date(now),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const entry = { ms, resolve };
        sleeps.push(entry);
        signal?.addEventListener(
          "abort",
          () => {
            sleeps.splice(sleeps.indexOf(entry), 1);
            resolve();
          },
          { once: true },
        );
      }),
  };
  /** Lets pending promise callbacks run. */
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  /** Advances to the next recorded sleep and returns its length. */
  const next = async () => {
    await settle();
    const s = sleeps.shift();
    if (!s) throw new Error("no sleep pending");
    now += s.ms;
    s.resolve();
    await settle();
    return s.ms;
  };
  return { clock, sleeps, next, settle };
}

const ok: ReconcileResult = { applied: 0, pruned: 0, unchanged: 0, intents: 0, rejected: [], durationMs: 0 };
const logger = pino({ level: "silent" });

describe("reconcile loop", () => {
  it("backs off exponentially up to the cap while passes fail, and resets on success", async () => {
    const { clock, next } = fakeClock();
    let calls = 0;
    const outcomes = [false, false, false, false, false, true, false];
    const loop = new ReconcileLoop(
      async () => {
        const good = outcomes[calls++] ?? true;
        if (!good) throw new Error("api down");
        return ok;
      },
      {
        clock,
        logger,
        watchers: [],
        options: { backoffBaseMs: 100, backoffMaxMs: 1000, relistMs: 60_000, debounceMs: 0, random: () => 1 },
      },
    );
    loop.start();
    const delays = [await next(), await next(), await next(), await next()];
    expect(delays).toEqual([100, 200, 400, 800]);
    expect(loop.status()).toMatchObject({ consecutiveFailures: 5, state: "backoff", lastError: "api down" });
    expect(await next()).toBe(1000); // capped
    // Pass 6 succeeded: the failures are forgotten and the loop idles until the relist.
    expect(loop.status()).toMatchObject({ consecutiveFailures: 0, state: "idle", lastError: null });
    expect(await next()).toBe(60_000);
    expect(await next()).toBe(100); // pass 7 failed: the backoff starts over
    await loop.stop();
    expect(loop.status().state).toBe("stopped");
  });

  it("reconciles when triggered instead of waiting for the relist", async () => {
    const { clock, settle, sleeps } = fakeClock();
    let calls = 0;
    const loop = new ReconcileLoop(async () => (calls++, ok), {
      clock,
      logger,
      watchers: [],
      options: { relistMs: 60_000, debounceMs: 0 },
    });
    loop.start();
    await settle();
    expect(calls).toBe(1);
    expect(sleeps.map((s) => s.ms)).toEqual([60_000]);
    loop.trigger("change");
    await settle();
    expect(calls).toBe(2);
    await loop.stop();
  });

  it("restarts a watch that ends, and triggers a pass each time", async () => {
    const { clock, next, settle } = fakeClock();
    let watches = 0;
    let passes = 0;
    const loop = new ReconcileLoop(async () => (passes++, ok), {
      clock,
      logger,
      watchers: [async () => void watches++],
      options: { relistMs: 60_000, debounceMs: 0, backoffBaseMs: 50, backoffMaxMs: 50, random: () => 1 },
    });
    loop.start();
    await settle();
    expect(watches).toBe(1);
    await next(); // the watch's restart delay (the relist sleep was cut short by the trigger)
    await settle();
    expect(watches).toBeGreaterThanOrEqual(2);
    expect(loop.status().watchRestarts).toBeGreaterThanOrEqual(1);
    expect(passes).toBeGreaterThanOrEqual(2);
    await loop.stop();
  });

  it("stop() cuts a long backoff short", async () => {
    const { clock, settle } = fakeClock();
    const loop = new ReconcileLoop(
      async () => {
        throw new Error("down");
      },
      { clock, logger, watchers: [], options: { backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000 } },
    );
    loop.start();
    await settle();
    await loop.stop();
    expect(loop.status().state).toBe("stopped");
  });
});

describe("backoffDelay", () => {
  it("stays within [cap/2, cap] and never exceeds the maximum", () => {
    for (let a = 0; a < 40; a++) {
      for (const r of [0, 0.5, 1]) {
        const d = backoffDelay(a, { baseMs: 100, maxMs: 5000, random: () => r });
        const cap = Math.min(5000, 100 * 2 ** a);
        expect(d).toBeGreaterThanOrEqual(cap / 2);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });
});
