import { describe, expect, it } from "vitest";
import type { IntentPlan } from "@nephoran/shared";
import type { Seen } from "./phase";
import { phaseOf, sameConditions, stamp } from "./phase";

const plan = (kind: "deploy" | "policy" = "deploy"): IntentPlan => ({
  intentType: kind === "deploy" ? "nf.deploy" : "policy.apply",
  actions: [{ kind, nf: kind === "deploy" ? "amf" : "near-rt-ric" }],
  priority: "low",
  source: "rules",
  confidence: 1,
});
const seen = (over: Partial<Seen> = {}): Seen => ({
  revision: 2,
  plan: plan(),
  workloadKeys: ["ns/amf-1"],
  workloads: new Map([["ns/amf-1", { nf: "amf", desired: 2, ready: 2, upToDate: true }]]),
  problems: [],
  rejected: [],
  ricReady: false,
  ...over,
});
const ready = (s: Seen) => phaseOf(s).conditions.find((c) => c.type === "Ready");

describe("an intent's phase from what a pass saw", () => {
  it("is Ready when every workload is, Applied while one is not, Applying while one is missing", () => {
    expect(phaseOf(seen())).toMatchObject({ phase: "Ready", reason: "Ready" });
    const half = seen({
      workloads: new Map([["ns/amf-1", { nf: "amf", desired: 2, ready: 1, upToDate: true }]]),
    });
    expect(phaseOf(half)).toMatchObject({ phase: "Applied", message: "amf-1 1/2 ready" });
    const stale = seen({
      workloads: new Map([["ns/amf-1", { nf: "amf", desired: 2, ready: 2, upToDate: false }]]),
    });
    expect(phaseOf(stale).phase).toBe("Applied");
    expect(phaseOf(seen({ workloads: new Map() }))).toMatchObject({
      phase: "Applying",
      message: "waiting for amf-1",
    });
  });

  it("is Failed with the reasons when it cannot be rendered or the target refused it", () => {
    expect(phaseOf(seen({ problems: ["no smf is deployed at this site to scale"] }))).toMatchObject({
      phase: "Failed",
      reason: "CannotApply",
      message: "no smf is deployed at this site to scale",
    });
    expect(phaseOf(seen({ rejected: ["quota exceeded"] }))).toMatchObject({
      phase: "Failed",
      reason: "Rejected",
    });
  });

  it("says Unknown where the target cannot observe readiness, and waits for a RIC for a policy", () => {
    expect(ready(seen({ unobservable: "/srv/manifests" }))).toMatchObject({
      status: "Unknown",
      reason: "NotObservable",
    });
    expect(phaseOf(seen({ unobservable: "/srv/manifests" })).phase).toBe("Applied");
    expect(ready(seen({ plan: plan("policy") }))).toMatchObject({ status: "False", reason: "NoRic" });
    expect(phaseOf(seen({ plan: plan("policy"), ricReady: true })).phase).toBe("Ready");
  });
});

describe("an A1 policy the RIC's A1 interface is asked about", () => {
  const policy = (a1: { enforced: boolean; message: string }, over: Partial<Seen> = {}) =>
    phaseOf(seen({ plan: plan("policy"), workloadKeys: [], workloads: new Map(), a1, ...over }));
  it("is Ready when the RIC enforces it, wherever the target writes, and Applied with the RIC's word when not", () => {
    expect(policy({ enforced: true, message: "enforced" })).toMatchObject({
      phase: "Ready",
      reason: "Enforced",
    });
    expect(policy({ enforced: true, message: "enforced" }, { unobservable: "/srv" })).toMatchObject({
      phase: "Ready",
    });
    expect(policy({ enforced: false, message: "the RIC answered 503" })).toMatchObject({
      phase: "Applied",
      reason: "NotEnforced",
      message: "the RIC answered 503",
    });
  });
});

describe("conditions over time", () => {
  it("keep their transition time while their status holds, and take now when it changes", () => {
    const before = [
      { type: "Applied", status: "True" as const, reason: "Applied", lastTransitionTime: "t1" },
      { type: "Ready", status: "False" as const, reason: "WaitingForReady", lastTransitionTime: "t1" },
    ];
    const next = [
      { type: "Applied", status: "True" as const, reason: "Applied", message: "applied to amf-1" },
      { type: "Ready", status: "True" as const, reason: "Ready" },
      { type: "Assured", status: "True" as const, reason: "Fulfilled" },
    ];
    expect(stamp(before, next, "t2").map((c) => c.lastTransitionTime)).toEqual(["t1", "t2", "t2"]);
    expect(sameConditions(before, next.slice(0, 2))).toBe(false);
    expect(
      sameConditions(
        before,
        before.map((c) => ({ ...c, lastTransitionTime: "other" })),
      ),
    ).toBe(true);
  });
});
