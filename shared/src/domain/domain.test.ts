import { describe, expect, it } from "vitest";
import {
  Intent,
  IntentPlan,
  RolloutStrategy,
  Site,
  SiteIntentReport,
  cpuMillis,
  failureBudget,
  selects,
  shareOf,
  stagesOf,
  formatCpu,
  formatMemory,
  memoryMi,
} from "./index";

const plan = () => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas: 1 }],
  priority: "medium",
  source: "rules",
  confidence: 0.9,
});

describe("IntentPlan schema", () => {
  it("accepts a minimal plan", () => {
    expect(IntentPlan.safeParse(plan()).success).toBe(true);
  });

  it("rejects unknown fields at every level", () => {
    expect(IntentPlan.safeParse({ ...plan(), extra: 1 }).success).toBe(false);
    expect(
      IntentPlan.safeParse({ ...plan(), actions: [{ kind: "deploy", nf: "amf", hostNetwork: true }] })
        .success,
    ).toBe(false);
  });

  it("rejects a plan without actions, a bad quantity, and a confidence above 1", () => {
    expect(IntentPlan.safeParse({ ...plan(), actions: [] }).success).toBe(false);
    expect(
      IntentPlan.safeParse({
        ...plan(),
        actions: [{ kind: "deploy", nf: "amf", resources: { cpu: "four" } }],
      }).success,
    ).toBe(false);
    expect(IntentPlan.safeParse({ ...plan(), confidence: 1.5 }).success).toBe(false);
  });

  it("requires slice SD to be six hex digits", () => {
    const withSd = (sd: string) => ({
      ...plan(),
      actions: [{ kind: "deploy", nf: "upf", slice: { type: "URLLC", sd } }],
    });
    expect(IntentPlan.safeParse(withSd("00a0ff")).success).toBe(true);
    expect(IntentPlan.safeParse(withSd("xyz")).success).toBe(false);
  });
});

describe("Intent, Site and SiteIntentReport schemas", () => {
  const now = "2026-11-22T10:00:00Z";

  it("parse well-formed records", () => {
    const intent = {
      id: "i-1",
      name: "amf for testing",
      plan: plan(),
      siteSelector: { names: ["edge01"] },
      revision: 1,
      priority: "medium",
      state: "active",
      createdAt: now,
      updatedAt: now,
      createdBy: "admin",
    };
    expect(Intent.parse(intent).revision).toBe(1);
    expect(Intent.safeParse({ ...intent, revision: 0 }).success).toBe(false);

    const site = {
      id: "edge01",
      labels: { region: "eu" },
      enrolledAt: now,
      lastSeen: null,
      presence: "offline",
      agentVersion: null,
      desiredVersion: 0,
      reportedVersion: 0,
    };
    expect(Site.parse(site).presence).toBe("offline");
    expect(Site.safeParse({ ...site, id: "Edge_01" }).success).toBe(false);

    const report = {
      siteId: "edge01",
      intentId: "i-1",
      revision: 1,
      phase: "Ready",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }],
      nfStatus: [{ nf: "amf", name: "amf-i-1", desiredReplicas: 1, readyReplicas: 1, ready: true }],
      observedAt: now,
      reportSeq: 7,
    };
    expect(SiteIntentReport.parse(report).reportSeq).toBe(7);
    expect(SiteIntentReport.safeParse({ ...report, phase: "Done" }).success).toBe(false);
  });
});

describe("quantities", () => {
  it("convert both ways", () => {
    expect(cpuMillis("500m")).toBe(500);
    expect(cpuMillis("1.5")).toBe(1500);
    expect(memoryMi("8Gi")).toBe(8192);
    expect(memoryMi("8GB")).toBeNaN();
    expect(formatCpu(2000)).toBe("2");
    expect(formatCpu(1500)).toBe("1500m");
    expect(formatMemory(8192)).toBe("8Gi");
    expect(formatMemory(1536)).toBe("1536Mi");
  });
});

describe("rollout strategies", () => {
  const test = it;
  const sites = Array.from({ length: 7 }, (_, i) => ({ id: `s${i}`, labels: { ring: i < 2 ? "a" : "b" } }));

  test("a percentage rounds up to whole sites, never to none; a count stops at the sites there are", () => {
    expect([shareOf("1%", 7), shareOf("14.29%", 7), shareOf("50%", 7), shareOf("100%", 7)]).toEqual([
      1, 2, 4, 7,
    ]);
    expect([shareOf(3, 7), shareOf(30, 7)]).toEqual([3, 7]);
  });

  test("the failure budget: a count as given, a percentage rounded down, none by default", () => {
    expect(failureBudget({}, 100)).toBe(0);
    expect(failureBudget({ maxFailures: 2 }, 100)).toBe(2);
    expect([failureBudget({ maxFailures: "5%" }, 100), failureBudget({ maxFailures: "5%" }, 19)]).toEqual([
      5, 0,
    ]);
    expect(failureBudget({ maxFailures: "100%" }, 7)).toBe(7);
  });

  test("stages: the canary, the waves in order, the rest last; each site once", () => {
    expect(stagesOf({ canary: { matchLabels: { ring: "a" } }, waves: ["50%"] }, sites, selects)).toEqual({
      stages: [["s0", "s1"], ["s2", "s3", "s4", "s5"], ["s6"]],
    });
    expect(stagesOf({ waves: [1, 1] }, sites, selects)).toEqual({
      stages: [["s0"], ["s1"], ["s2", "s3", "s4", "s5", "s6"]],
    });
    expect(stagesOf({}, sites, selects)).toEqual({ stages: [sites.map((s) => s.id)] });
    // One ring at a time, after a canary; sites without the label last.
    const ringed = [...sites, { id: "s7", labels: {} }];
    expect(stagesOf({ canary: 1, by: "ring" }, ringed, selects)).toEqual({
      stages: [["s0"], ["s1"], ["s2", "s3", "s4", "s5", "s6"], ["s7"]],
    });
    expect(stagesOf({ by: "zone" }, sites, selects)).toMatchObject({
      error: "no targeted site has the label zone",
    });
    expect(RolloutStrategy.safeParse({ by: "ring", waves: [1] }).success).toBe(false);
    expect(stagesOf({ canary: { names: ["s9"] } }, sites, selects)).toMatchObject({
      error: /canary picks no site/,
    });
    expect(stagesOf({ waves: ["60%", "50%"] }, sites, selects)).toMatchObject({
      error: /110% .* over 100%/,
    });
    expect(RolloutStrategy.safeParse({ waves: ["0%"] }).success).toBe(false);
    expect(RolloutStrategy.safeParse({ canary: 0 }).success).toBe(false);
    expect(RolloutStrategy.safeParse({ canary: "5%", approval: "later" }).success).toBe(false);
  });
});
