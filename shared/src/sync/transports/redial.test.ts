import { describe, expect, it } from "vitest";
import { ManualClock } from "../../clock";
import { RedialPacer, redialDelay } from "./redial";

const LINK = { deadAfterMs: 15_000, reconnectDelayMs: 500, maxReconnectDelayMs: 30_000 };

/** The dials of one outage that lasts `ms`: when each happens, the pacer's clock following the waits. */
async function dialsOver(ms: number, random: () => number): Promise<number[]> {
  const clock = new ManualClock();
  const pacer = new RedialPacer(LINK, clock, random);
  const t0 = clock.now().getTime();
  const at: number[] = [];
  for (let t = 0; t < ms;) {
    t += pacer.next();
    await clock.advance(t - (clock.now().getTime() - t0));
    at.push(t);
  }
  return at;
}

describe("redial pacing", () => {
  it("waits between half and all of a cap that grows with the outage, from the shortest to the longest", () => {
    expect([0, 200, 500, 4000, 29_000, 60_000].map((o) => redialDelay(o, LINK, () => 1))).toEqual([
      500, 500, 500, 4000, 29_000, 30_000,
    ]);
    expect([0, 4000, 60_000].map((o) => redialDelay(o, LINK, () => 0))).toEqual([250, 2000, 15_000]);
  });

  it("dials a broker that stays away for ten minutes a few times a minute, not twice a second", async () => {
    for (const random of [() => 0, () => 0.5, () => 1, Math.random]) {
      const dials = await dialsOver(600_000, random);
      // At a fixed 500 ms this would be 1,200 dials; at the longest wait, from 15 to 30 s apart.
      expect(dials.length).toBeGreaterThan(600_000 / 30_000);
      expect(dials.length).toBeLessThan(80);
      const gaps = dials.slice(1).map((t, i) => t - (dials[i] as number));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
      expect(gaps.slice(-5).every((g) => g >= 15_000)).toBe(true);
    }
  });

  it("dials again soon after a short cut: within a second for the first second", async () => {
    const dials = await dialsOver(2000, () => 1);
    expect(dials.slice(0, 2)).toEqual([500, 1000]);
  });

  it("starts again from the shortest wait once the link was up", async () => {
    const clock = new ManualClock();
    const pacer = new RedialPacer(LINK, clock, () => 1);
    pacer.next();
    await clock.advance(120_000);
    expect(pacer.next()).toBe(30_000);
    pacer.up();
    await clock.advance(1000);
    expect(pacer.next()).toBe(500);
  });
});
