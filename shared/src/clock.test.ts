import { describe, expect, it } from "vitest";
import { Alarm, ManualClock } from "./clock";

/** An alarm over a manual clock whose due time the test sets; it records when `fn` ran. */
function setUp(opts: { fn?: (at: number) => void } = {}) {
  const clock = new ManualClock("2026-01-01T00:00:00Z");
  const t0 = clock.now().getTime();
  const ran: number[] = [];
  const errors: unknown[] = [];
  const state = { due: Infinity };
  const alarm = new Alarm(
    clock,
    () => state.due,
    () => {
      const at = clock.now().getTime() - t0;
      ran.push(at);
      opts.fn?.(at);
    },
    (e) => errors.push(e),
    50,
  );
  const abort = new AbortController();
  const running = alarm.run(abort.signal);
  return { clock, t0, ran, errors, state, alarm, abort, running };
}

/** Lets a woken loop take its next step before time moves. */
const turn = () => new Promise((r) => setImmediate(r));

describe("Alarm", () => {
  it("sleeps until what is due, and while nothing is due until woken", async () => {
    const a = setUp({ fn: () => void (a.state.due = Infinity) });
    await a.clock.advance(60_000);
    expect(a.ran).toEqual([]);
    a.state.due = a.t0 + 70_000;
    a.alarm.wake();
    await turn();
    await a.clock.advance(9_999);
    expect(a.ran).toEqual([]);
    await a.clock.advance(1);
    expect(a.ran).toEqual([70_000]);
    a.abort.abort();
    await a.running;
  });

  it("wakes early for something due sooner, and not for something due later", async () => {
    const a = setUp({ fn: (at) => void (a.state.due = a.t0 + at + 30_000) });
    a.state.due = a.t0 + 30_000;
    a.alarm.wake();
    await turn();
    await a.clock.advance(5_000);
    a.state.due = a.t0 + 40_000; // later than the sleep: it sleeps on, and runs at 30 s, asks again, runs at 40 s
    a.alarm.wake();
    await turn();
    await a.clock.advance(5_000);
    a.state.due = a.t0 + 12_000;
    a.alarm.wake();
    await turn();
    await a.clock.advance(3_000);
    expect(a.ran).toEqual([12_000]);
    a.abort.abort();
    await a.running;
  });

  it("waits its floor when what is due stays in the past, and goes on after a throw", async () => {
    let calls = 0;
    const a = setUp({
      fn: () => {
        calls++;
        if (calls === 2) throw new Error("boom");
      },
    });
    a.state.due = a.t0; // due now, and the work never moves it
    a.alarm.wake();
    await turn();
    await a.clock.advance(200);
    expect(a.ran).toEqual([0, 50, 100, 150, 200]);
    expect(a.errors).toEqual([new Error("boom")]);
    a.abort.abort();
    await a.running;
    const after = a.ran.length;
    await a.clock.advance(1_000);
    expect(a.ran.length).toBe(after); // stopped
  });
});
