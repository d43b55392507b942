import { describe, expect, it } from "vitest";
import { Catalog } from "../catalog";
import type { IntentPlan } from "../domain";
import { GuardrailPolicy, GuardrailRule, checkPlan, defaultGuardrailPolicy, validatePlan } from "./index";

const ctx = { catalog: new Catalog(), policy: defaultGuardrailPolicy() };
const plan = (overrides: Partial<IntentPlan> = {}): IntentPlan => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "upf", replicas: 2 }],
  priority: "medium",
  source: "llm",
  confidence: 0.8,
  ...overrides,
});
const rules = (p: IntentPlan) => checkPlan(p, ctx).map((v) => v.rule);

describe("guardrails", () => {
  it("pass a sound plan", () => {
    expect(checkPlan(plan(), ctx)).toEqual([]);
  });

  it("refuse an NF outside the catalog, naming the rule", () => {
    expect(rules(plan({ actions: [{ kind: "deploy", nf: "mme", replicas: 1 }] }))).toEqual([
      GuardrailRule.KnownNf,
    ]);
  });

  it("refuse replicas outside 0..maxReplicas, and 0 for a deploy", () => {
    expect(rules(plan({ actions: [{ kind: "deploy", nf: "upf", replicas: 11 }] }))).toEqual([
      GuardrailRule.Replicas,
    ]);
    expect(rules(plan({ actions: [{ kind: "deploy", nf: "upf", replicas: 0 }] }))).toEqual([
      GuardrailRule.Replicas,
    ]);
    expect(
      rules(plan({ intentType: "nf.scale", actions: [{ kind: "scale", nf: "upf", replicas: 0 }] })),
    ).toEqual([]);
    expect(rules(plan({ actions: [{ kind: "deploy", nf: "near-rt-ric", replicas: 4 }] }))).toEqual([
      GuardrailRule.Replicas,
    ]);
  });

  it("refuse resources above the NF's maximum instead of clamping", () => {
    const v = checkPlan(
      plan({ actions: [{ kind: "deploy", nf: "amf", replicas: 1, resources: { cpu: "5", memory: "9Gi" } }] }),
      ctx,
    );
    expect(v.map((x) => x.rule)).toEqual([GuardrailRule.ResourcesMax, GuardrailRule.ResourcesMax]);
    expect(v[0]?.message).toContain("maximum of 4");
  });

  it("refuse namespaces outside the allowlist, and system namespaces whatever the list says", () => {
    expect(
      rules(plan({ actions: [{ kind: "deploy", nf: "amf", replicas: 1, namespace: "payments" }] })),
    ).toEqual([GuardrailRule.Namespace]);
    const open = { ...ctx, policy: GuardrailPolicy.parse({ namespaces: ["*"] }) };
    expect(
      checkPlan(plan({ actions: [{ kind: "deploy", nf: "amf", replicas: 1, namespace: "payments" }] }), open),
    ).toEqual([]);
    expect(
      checkPlan(
        plan({ actions: [{ kind: "deploy", nf: "amf", replicas: 1, namespace: "kube-system" }] }),
        open,
      ).map((v) => v.rule),
    ).toEqual([GuardrailRule.Namespace]);
  });

  it("allow the namespace families operators use for core, RAN and RIC, and no kube-* namespace ever", () => {
    const ns = (namespace: string, c = ctx) =>
      checkPlan(plan({ actions: [{ kind: "deploy", nf: "du", replicas: 1, namespace }] }), c).map(
        (v) => v.rule,
      );
    for (const ok of ["oran-odu", "ran-cu", "5gc-amf", "5g-core", "core-lab", "ric-xapps", "test-17"])
      expect(ns(ok), ok).toEqual([]);
    const open = { ...ctx, policy: GuardrailPolicy.parse({ namespaces: ["*"] }) };
    expect(ns("kube-flannel", open)).toEqual([GuardrailRule.Namespace]);
    expect(ns("payments")).toEqual([GuardrailRule.Namespace]);
  });

  it("refuse params asking for privilege, host access or cluster-scoped objects", () => {
    const withParams = (params: Record<string, boolean>) =>
      plan({ actions: [{ kind: "deploy", nf: "upf", replicas: 1, params }] });
    expect(rules(withParams({ privileged: true }))).toEqual([GuardrailRule.NoPrivileged]);
    expect(rules(withParams({ hostNetwork: true }))).toEqual([GuardrailRule.NoHostNetwork]);
    expect(rules(withParams({ host_path: true }))).toEqual([GuardrailRule.NoHostPath]);
    expect(rules(withParams({ clusterRole: true }))).toEqual([GuardrailRule.NoClusterScoped]);
  });

  it("check the shape of each action kind", () => {
    expect(rules(plan({ intentType: "nf.scale", actions: [{ kind: "scale", nf: "upf" }] }))).toEqual([
      GuardrailRule.ActionShape,
    ]);
    expect(
      rules(plan({ intentType: "nf.delete", actions: [{ kind: "delete", nf: "upf", replicas: 1 }] })),
    ).toContain(GuardrailRule.ActionShape);
    expect(rules(plan({ intentType: "nf.configure", actions: [{ kind: "configure", nf: "upf" }] }))).toEqual([
      GuardrailRule.ActionShape,
    ]);
  });

  it("hold traffic steering policies to A1 type 20008 with a threshold in 0..100", () => {
    const pol = (params: Record<string, number>, nf = "near-rt-ric") =>
      plan({ intentType: "policy.apply", actions: [{ kind: "policy", nf, params }] });
    expect(rules(pol({ policyTypeId: 20008, threshold: 70 }))).toEqual([]);
    expect(rules(pol({ policyTypeId: 20008, threshold: 170 }))).toEqual([GuardrailRule.Policy]);
    expect(rules(pol({ policyTypeId: 1, threshold: 70 }))).toEqual([GuardrailRule.Policy]);
    expect(rules(pol({ policyTypeId: 20008, threshold: 70 }, "du"))).toEqual([GuardrailRule.Policy]);
  });

  it("refuse duplicate NFs, slice intents without a slice, and contradictory site selectors", () => {
    expect(
      rules(
        plan({
          actions: [
            { kind: "deploy", nf: "upf", replicas: 1 },
            { kind: "deploy", nf: "upf", replicas: 2 },
          ],
        }),
      ),
    ).toEqual([GuardrailRule.UniqueAction]);
    expect(rules(plan({ intentType: "slice.deploy" }))).toEqual([GuardrailRule.Slice]);
    expect(rules(plan({ sites: { all: true, names: ["edge01"] } }))).toEqual([GuardrailRule.Sites]);
  });

  it("validatePlan turns schema errors of untrusted input into plan.schema violations with paths", () => {
    const r = validatePlan(
      { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: "2" }] },
      ctx,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.violations.every((v) => v.rule === GuardrailRule.Schema)).toBe(true);
    expect(r.error.violations.map((v) => v.path)).toContain("actions.0.replicas");
  });
});
