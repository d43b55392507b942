import { describe, expect, it } from "vitest";
import { Catalog } from "../catalog";
import type { Expectation, IntentPlan } from "../domain";
import { fill, judge, measureOf, podsOf } from "./measure";

const catalog = new Catalog();
const plan = (nfs: string[], expectations: Expectation[]): IntentPlan => ({
  intentType: "nf.deploy",
  actions: nfs.map((nf) => ({ kind: "deploy" as const, nf })),
  expectations,
  priority: "low",
  source: "rules",
  confidence: 1,
});
const at = { workloads: (nf: string) => (nf === "upf" ? ["upf-a1", "upf.b2"] : []), window: "1m" };

describe("measuring an expectation", () => {
  it("picks the first NF the catalog measures the target on, over that NF's pods and the window", () => {
    const e: Expectation = { target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 100 };
    const m = measureOf(e, plan(["amf", "upf"], [e]), catalog, at);
    expect(m).toEqual({
      nf: "upf",
      batch: {
        template: 'sum {{by}} (rate(nephoran_upf_bytes_total{pod=~"{{pods}}"}[{{window}}])) * 8 / 1e6',
        pods: ["upf-a1", "upf.b2"],
        across: "sum",
      },
    });
    // Asked once for many intents: one series per pod; for one intent's pods, their sum.
    const template = "batch" in m ? m.batch.template : "";
    expect(fill(template, "(a|b)-.*", "5s", true)).toBe(
      'sum by (pod) (rate(nephoran_upf_bytes_total{pod=~"(a|b)-.*"}[5s])) * 8 / 1e6',
    );
    expect(fill(template, podsOf(["upf-a1", "upf.b2"]), "1m")).toBe(
      'sum (rate(nephoran_upf_bytes_total{pod=~"(upf-a1|upf\\\\.b2)-.*"}[1m])) * 8 / 1e6',
    );
  });

  it("takes the expectation's own query, and says why it cannot measure", () => {
    const own: Expectation = {
      target: "latency_ms",
      condition: "IS_LESS_THAN",
      value: 5,
      nf: "upf",
      query: 'max(my_latency_ms{pod=~"{{pods}}"})',
    };
    expect(measureOf(own, plan(["upf"], [own]), catalog, at)).toMatchObject({
      query: 'max(my_latency_ms{pod=~"(upf-a1|upf\\\\.b2)-.*"})',
    });
    const none: Expectation = { target: "latency_ms", condition: "IS_LESS_THAN", value: 5 };
    expect(measureOf(none, plan(["nrf"], [none]), catalog, at)).toMatchObject({
      unmeasurable: expect.stringMatching(/no query measures latency_ms on nrf/),
    });
    const notHere: Expectation = { target: "users", condition: "IS_GREATER_THAN", value: 5, nf: "amf" };
    expect(measureOf(notHere, plan(["amf"], [notHere]), catalog, at)).toMatchObject({
      nf: "amf",
      unmeasurable: "no amf instance of this intent runs here",
    });
  });
});

describe("measuring a traffic steering policy", () => {
  it("measures its expectations on the RAN it steers: the first RAN function with instances at the site", () => {
    const e: Expectation = { target: "latency_ms", condition: "IS_LESS_THAN", value: 5 };
    const steer: IntentPlan = {
      ...plan([], [e]),
      intentType: "policy.apply",
      actions: [{ kind: "policy", nf: "near-rt-ric", params: { policyTypeId: 20008, threshold: 40 } }],
    };
    const site = { workloads: (nf: string) => (nf === "du" ? ["du-x1", "du-x2"] : []), window: "1m" };
    expect(measureOf(e, steer, catalog, site)).toMatchObject({
      nf: "du",
      batch: { pods: ["du-x1", "du-x2"], across: "max" },
    });
    // No RAN function runs: said so, on the first the catalog measures latency on.
    expect(measureOf(e, steer, catalog, { ...site, workloads: () => [] })).toMatchObject({
      unmeasurable: expect.stringMatching(/^no cu-up instance/),
    });
  });
});

describe("judging a measured value", () => {
  it("is Fulfilled when the condition holds, Degraded within a tenth of the target, NotFulfilled beyond", () => {
    const lt = { condition: "IS_LESS_THAN" as const, value: 10 };
    expect([9.9, 10, 11, 11.1].map((v) => judge(lt, v))).toEqual([
      "Fulfilled",
      "Degraded",
      "Degraded",
      "NotFulfilled",
    ]);
    const gt = { condition: "IS_GREATER_THAN" as const, value: 100 };
    expect([101, 100, 90, 89].map((v) => judge(gt, v))).toEqual([
      "Fulfilled",
      "Degraded",
      "Degraded",
      "NotFulfilled",
    ]);
    const eq = { condition: "IS_EQUAL_TO" as const, value: 3 };
    expect([3, 3.2, 4].map((v) => judge(eq, v))).toEqual(["Fulfilled", "Degraded", "NotFulfilled"]);
  });
});
