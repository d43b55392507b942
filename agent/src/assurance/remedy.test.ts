import { describe, expect, it } from "vitest";
import type { ExpectationStatus, IntentPlan } from "@nephoran/shared";
import { STEERING_FLOOR, askedReplicas, remedyFor, withRemedies } from "./remedy";

const plan: IntentPlan = {
  intentType: "nf.deploy",
  actions: [
    { kind: "deploy", nf: "upf", replicas: 2 },
    { kind: "deploy", nf: "smf" },
  ],
  assurance: { remediate: true },
  priority: "low",
  source: "rules",
  confidence: 1,
};
const T0 = "2026-11-30T10:00:00.000Z";
const at = (s: number) => new Date(Date.parse(T0) + s * 1000);
const x = (over: Partial<ExpectationStatus>): ExpectationStatus => ({
  index: 0,
  target: "throughput_mbps",
  condition: "IS_GREATER_THAN",
  value: 1000,
  nf: "upf",
  state: "NotFulfilled",
  measured: 600,
  since: T0,
  at: T0,
  ...over,
});
const base = { plan, done: [], maxReplicas: () => 4, now: at(10), cooldownMs: 60_000, scaleBackMs: 300_000 };

describe("the closed loop's step", () => {
  it("scales the NF a capacity expectation is on out by one, and says why", () => {
    expect(remedyFor({ ...base, expectations: [x({})] })).toEqual({
      nf: "upf",
      replicas: 3,
      asked: 2,
      reason: `throughput_mbps 600, expected > 1000 (not fulfilled since ${T0}): upf scaled out to 3`,
    });
    // Not for a latency expectation, a Degraded one, or an NF the intent does not deploy or scale.
    expect(
      remedyFor({ ...base, expectations: [x({ target: "latency_ms", condition: "IS_LESS_THAN" })] }),
    ).toBeUndefined();
    expect(remedyFor({ ...base, expectations: [x({ state: "Degraded" })] })).toBeUndefined();
    expect(remedyFor({ ...base, expectations: [x({ nf: "amf" })] })).toBeUndefined();
  });

  it("acts once per cool-down and never past the maximum", () => {
    const done = [{ nf: "upf", replicas: 3, at: at(0).toISOString() }];
    expect(remedyFor({ ...base, done, expectations: [x({})] })).toBeUndefined();
    expect(remedyFor({ ...base, done, now: at(60), expectations: [x({})] })).toMatchObject({ replicas: 4 });
    const atMax = [{ nf: "upf", replicas: 4, at: at(0).toISOString() }];
    expect(remedyFor({ ...base, done: atMax, now: at(3600), expectations: [x({})] })).toBeUndefined();
  });

  it("goes back to what the intent asked once over-fulfilled for long, not before", () => {
    const done = [{ nf: "upf", replicas: 4, at: at(0).toISOString() }];
    const held = x({ state: "Fulfilled", measured: 2400 }); // 1200 at 2 replicas: still over 1000
    expect(remedyFor({ ...base, done, now: at(299), expectations: [held] })).toBeUndefined();
    expect(remedyFor({ ...base, done, now: at(300), expectations: [held] })).toMatchObject({
      replicas: 2,
      asked: 2,
    });
    // Fulfilled, but only thanks to the added replicas: it stays.
    const needed = x({ state: "Fulfilled", measured: 1800 });
    expect(remedyFor({ ...base, done, now: at(3600), expectations: [needed] })).toBeUndefined();
  });

  it("runs the plan at the replicas the loop set", () => {
    expect(askedReplicas(plan, "upf")).toBe(2);
    expect(askedReplicas(plan, "smf")).toBe(1);
    expect(askedReplicas(plan, "amf")).toBeUndefined();
    expect(withRemedies(plan, [{ nf: "upf", replicas: 3 }]).actions).toEqual([
      { kind: "deploy", nf: "upf", replicas: 3 },
      { kind: "deploy", nf: "smf" },
    ]);
  });
});

describe("the closed loop on a traffic steering policy", () => {
  const steer: IntentPlan = {
    intentType: "policy.apply",
    actions: [{ kind: "policy", nf: "near-rt-ric", params: { policyTypeId: 20008, threshold: 40 } }],
    assurance: { remediate: true },
    priority: "medium",
    source: "rules",
    confidence: 1,
  };
  const latency = (over: Partial<ExpectationStatus>) =>
    x({ target: "latency_ms", condition: "IS_LESS_THAN", value: 5, nf: "du", measured: 9, ...over });
  const s = { ...base, plan: steer };

  it("steers traffic sooner when an expectation on the RAN is not fulfilled, a step at a time, never below the floor", () => {
    expect(remedyFor({ ...s, expectations: [latency({})] })).toEqual({
      nf: "near-rt-ric",
      threshold: 30,
      asked: 40,
      reason: `latency_ms 9 on du, expected < 5 (not fulfilled since ${T0}): traffic steered at 30% load instead of 40%`,
    });
    // Once per cool-down.
    const done = [{ nf: "near-rt-ric", threshold: 30, at: at(0).toISOString() }];
    expect(remedyFor({ ...s, done, expectations: [latency({})] })).toBeUndefined();
    expect(remedyFor({ ...s, done, now: at(60), expectations: [latency({})] })).toMatchObject({
      threshold: 20,
    });
    const atFloor = [{ nf: "near-rt-ric", threshold: STEERING_FLOOR, at: at(0).toISOString() }];
    expect(remedyFor({ ...s, done: atFloor, now: at(3600), expectations: [latency({})] })).toBeUndefined();
    // Degraded is not yet a reason; nor is a plan without the threshold's policy.
    expect(remedyFor({ ...s, expectations: [latency({ state: "Degraded" })] })).toBeUndefined();
    expect(remedyFor({ ...s, plan: { ...steer, actions: [] }, expectations: [latency({})] })).toBeUndefined();
  });

  it("raises the threshold back a step at a time once every expectation held for long, never past what was asked", () => {
    const done = [{ nf: "near-rt-ric", threshold: 20, at: at(0).toISOString() }];
    const held = latency({ state: "Fulfilled", measured: 2 });
    expect(remedyFor({ ...s, done, now: at(299), expectations: [held] })).toBeUndefined();
    expect(remedyFor({ ...s, done, now: at(300), expectations: [held] })).toMatchObject({
      threshold: 30,
      asked: 40,
    });
    const near = [{ nf: "near-rt-ric", threshold: 35, at: at(0).toISOString() }];
    expect(remedyFor({ ...s, done: near, now: at(300), expectations: [held] })).toMatchObject({
      threshold: 40,
    });
    const back = [{ nf: "near-rt-ric", threshold: 40, at: at(0).toISOString() }];
    expect(remedyFor({ ...s, done: back, now: at(3600), expectations: [held] })).toBeUndefined();
  });

  it("runs the policy at the threshold the loop set, beside replicas it scaled", () => {
    const both: IntentPlan = {
      ...steer,
      actions: [...steer.actions, { kind: "deploy", nf: "du", replicas: 1 }],
    };
    expect(
      withRemedies(both, [
        { nf: "near-rt-ric", threshold: 30 },
        { nf: "du", replicas: 2 },
      ]).actions,
    ).toEqual([
      { kind: "policy", nf: "near-rt-ric", params: { policyTypeId: 20008, threshold: 30 } },
      { kind: "deploy", nf: "du", replicas: 2 },
    ]);
    // A capacity shortfall on an NF the intent scales is scaled, not steered.
    expect(remedyFor({ ...s, plan: both, expectations: [x({ nf: "du", measured: 600 })] })).toMatchObject({
      nf: "du",
      replicas: 2,
    });
  });
});
