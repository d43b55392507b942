import { describe, expect, it } from "vitest";
import { observe } from "./hysteresis";

describe("hysteresis", () => {
  it("starts Unknown, and a new state takes over only after N intervals in a row", () => {
    let t = observe(undefined, "Fulfilled", 2, "t1");
    expect(t).toEqual({ state: "Unknown", since: "t1", pending: { state: "Fulfilled", count: 1 } });
    t = observe(t, "Fulfilled", 2, "t2");
    expect(t).toEqual({ state: "Fulfilled", since: "t2" });
    // One noisy sample changes nothing; the count starts over when the state seen changes.
    t = observe(t, "NotFulfilled", 2, "t3");
    t = observe(t, "Fulfilled", 2, "t4");
    expect(t).toEqual({ state: "Fulfilled", since: "t2" });
    t = observe(t, "NotFulfilled", 2, "t5");
    t = observe(t, "Degraded", 2, "t6");
    expect(t).toMatchObject({ state: "Fulfilled", pending: { state: "Degraded", count: 1 } });
    t = observe(t, "Degraded", 2, "t7");
    expect(t).toEqual({ state: "Degraded", since: "t7" });
    expect(observe(undefined, "NotFulfilled", 1, "t8")).toEqual({ state: "NotFulfilled", since: "t8" });
  });
});
