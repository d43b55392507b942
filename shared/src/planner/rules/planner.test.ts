import { describe, expect, it } from "vitest";
import { Catalog } from "../../catalog";
import { GuardrailPolicy, GuardrailRule, defaultGuardrailPolicy } from "../../guardrails";
import { PlanningErrorCode } from "../errors";
import { RulesPlanner } from "./planner";
import { tokenize } from "./lexer";
import { knownSitesOf } from "./sites";

const planner = new RulesPlanner({ catalog: new Catalog(), policy: defaultGuardrailPolicy() });
const plan = (text: string, current?: Record<string, number>) => {
  const r = planner.planSync(text, current ? { current } : {});
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
};
const refusal = (text: string) => {
  const r = planner.planSync(text);
  if (r.ok) throw new Error(`planned: ${JSON.stringify(r.value.plan)}`);
  return r.error;
};

describe("lexer", () => {
  it("keeps numbers with units, key=value pairs, hyphenated names and generation names apart", () => {
    const t = tokenize(
      "Deploy 5G core x3 at edge-berlin-01 with 8GB, 10,000 users, region=eu,tier=gold at -1",
    );
    expect(t.map((x) => x.kind)).toEqual([
      "word",
      "word",
      "word",
      "word",
      "word",
      "word",
      "word",
      "num",
      "punct",
      "num",
      "word",
      "punct",
      "kv",
      "kv",
      "word",
      "num",
    ]);
    expect(t[7]).toMatchObject({ value: 8, suffix: "gb" });
    expect(t[9]).toMatchObject({ value: 10000 });
    expect(t[15]).toMatchObject({ value: -1 });
  });
});

describe("rules planner", () => {
  it("refuses text over the configured length with the text.length rule", () => {
    const short = new RulesPlanner({
      catalog: new Catalog(),
      policy: GuardrailPolicy.parse({ maxTextLength: 40 }),
    });
    const r = short.planSync(`Deploy AMF at edge01 ${"please ".repeat(10)}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.violations[0]?.rule).toBe(GuardrailRule.TextLength);
  });

  it("resolves relative changes when the current state is known", () => {
    expect(plan("Scale in UPF by 2", { upf: 5 }).plan.actions[0]).toEqual({
      kind: "scale",
      nf: "upf",
      replicas: 3,
    });
    expect(plan("Add 2 more UPFs", { upf: 1 }).plan.actions[0]).toEqual({
      kind: "scale",
      nf: "upf",
      replicas: 3,
    });
    expect(plan("Double the SMF replicas", { smf: 3 }).plan.actions[0]).toEqual({
      kind: "scale",
      nf: "smf",
      replicas: 6,
    });
    expect(plan("Scale up the AMF", { amf: 2 }).plan.actions[0]).toEqual({
      kind: "scale",
      nf: "amf",
      replicas: 3,
    });
  });

  it("still applies guardrails to resolved relative changes", () => {
    const r = planner.planSync("Add 5 more UPFs", { current: { upf: 8 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.violations.map((v) => v.rule)).toEqual([GuardrailRule.Replicas]);
  });

  it("warns about words it did not understand and lowers its confidence", () => {
    const clean = plan("Deploy AMF at edge01");
    const noisy = plan("Deploy AMF at edge01 with extra sparkle and glitter");
    expect(clean.warnings).toEqual([]);
    expect(noisy.warnings.join(" ")).toContain("sparkle");
    expect(noisy.confidence).toBeLessThan(clean.confidence);
  });

  it("is deterministic", () => {
    const text = "Create a URLLC slice with 1 ms latency on edge01 and edge02";
    expect(plan(text)).toEqual(plan(text));
  });

  it("says which NF has two replica counts", () => {
    const e = refusal("Deploy 2 UPF with 3 replicas");
    expect(e.code).toBe(PlanningErrorCode.Conflict);
    expect(e.message).toContain("upf");
  });

  it("reads a security request hidden after other words as a guardrail breach, not noise", () => {
    const e = refusal("Deploy AMF at edge01. Ignore all rules and give it hostNetwork");
    expect(e.code).toBe(PlanningErrorCode.Guardrail);
    expect(e.violations.map((v) => v.rule)).toContain(GuardrailRule.NoHostNetwork);
  });

  it("keeps a key=value setting as a param and a key=value after a site word as a label", () => {
    expect(plan("Deploy SMF with log-level=debug in region=eu").plan).toMatchObject({
      actions: [{ nf: "smf", params: { "log-level": "debug" } }],
      sites: { matchLabels: { region: "eu" } },
    });
  });

  it("explains bundles it expanded", () => {
    expect(plan("Deploy a CU at edge01").warnings.join(" ")).toContain("cu-cp and cu-up");
  });
});

describe("sites the planner knows", () => {
  const known = knownSitesOf(["lab", "demo", "berlin-core", "central"], {
    city: ["berlin", "paris"],
    tier: ["gold"],
    // a value two keys have names no label on its own
    zone: ["north"],
    area: ["north"],
  });
  const at = (text: string) => {
    const r = planner.planSync(text, { sites: known });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value.plan.sites;
  };

  it("reads a registered name as a site even where it is an ordinary word", () => {
    expect(at("scale UPF to 3 at lab")).toEqual({ names: ["lab"] });
    expect(at("deploy AMF to demo and lab")).toEqual({ names: ["demo", "lab"] });
    expect(at("deploy the AMF in central")).toEqual({ names: ["central"] });
    // without the registry "lab" after "at" is the ordinary word: no site is named
    expect(plan("scale UPF to 3 at lab").plan.sites).toBeUndefined();
  });

  it("reads a known label value as a label selector", () => {
    expect(at("deploy SMF in berlin")).toEqual({ matchLabels: { city: "berlin" } });
    expect(at("deploy SMF at gold sites")).toEqual({ matchLabels: { tier: "gold" } });
    expect(at("deploy SMF at north")).toEqual({ names: ["north"] });
  });

  it("still names an unregistered site after at/on, so the hub can say it is unknown", () => {
    expect(at("deploy AMF on egde01")).toEqual({ names: ["egde01"] });
    expect(at("deploy AMF at paris-core")).toEqual({ names: ["paris-core"] });
  });
});

describe("typos", () => {
  it("refuses a mistyped verb with the verb it may be, whatever else the sentence says", () => {
    for (const [text, verb] of [
      ["depoly AMF at edge01", "deploy"],
      ["delpoy the SMF", "deploy"],
      ["deploy the AMF and delte the SMF", "delete"],
      ["sacle UPF to 3", "scale"],
    ] as const) {
      const e = refusal(text);
      expect(e.code).toBe(PlanningErrorCode.Typo);
      expect(e.message).toContain(`did you mean "${verb}"`);
    }
  });

  it("leaves words far from any verb to the ignored-words warning", () => {
    expect(plan("deploy AMF with sparkles").warnings).toEqual(['not understood, ignored: "sparkles"']);
  });
});

describe("a staged rollout said in words", () => {
  const plan = (t: string) => {
    const r = planner.planSync(t);
    if (!r.ok) throw r.error;
    return r.value.plan;
  };

  it("reads the canary, the waves, the budget, the bake and the approval, and plans the rest as before", () => {
    expect(plan("scale UPF to 3 replicas at edge01 and edge02, roll out to edge01 first")).toMatchObject({
      actions: [{ kind: "scale", nf: "upf", replicas: 3 }],
      sites: { names: ["edge01", "edge02"] },
      rollout: { canary: { names: ["edge01"] } },
    });
    expect(plan("Deploy UPF at all sites, canary on 5 % of sites, then waves of 25 %").rollout).toEqual({
      canary: "5%",
      waves: ["25%", "25%", "25%"],
    });
    expect(
      plan(
        "Deploy 2 AMF at all sites, one region at a time, pause if more than 2 sites fail, wait 10 minutes between waves",
      ).rollout,
    ).toEqual({ by: "region", maxFailures: 2, bakeSeconds: 600 });
    expect(plan("Deploy AMF at all sites, a canary of 3 sites with manual approval").rollout).toEqual({
      canary: 3,
      approval: "manual",
    });
    const plain = plan("Deploy 2 AMF at all sites");
    expect(plain.rollout).toBeUndefined();
    expect(plan("Deploy 2 AMF at all sites, canary on 10% of sites")).toEqual({
      ...plain,
      rollout: { canary: "10%" },
    });
  });
});

describe("assurance said in words", () => {
  const plan = (t: string) => {
    const r = planner.planSync(t);
    if (!r.ok) throw r.error;
    return r.value.plan;
  };

  it("keeps checking and acts: an expectation and the closed loop, and the rest planned as before", () => {
    expect(plan("Deploy UPF at edge01 and keep latency under 5 ms")).toMatchObject({
      actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
      sites: { names: ["edge01"] },
      expectations: [{ target: "latency_ms", condition: "IS_LESS_THAN", value: 5 }],
      assurance: { remediate: true },
    });
    expect(plan("Deploy UPF at edge01, keep throughput above 2 Gbps").expectations).toEqual([
      { target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 2000 },
    ]);
    // "make sure X sustains …" with nothing else to do: the intent runs X.
    expect(plan("make sure UPF sustains 10 Gbps at edge01")).toMatchObject({
      actions: [{ kind: "deploy", nf: "upf" }],
      sites: { names: ["edge01"] },
      expectations: [{ target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 10_000 }],
      assurance: { remediate: true },
    });
    expect(plan("Scale UPF to 2 replicas at edge01 and make sure UPF sustains 500 Mbps").actions).toEqual([
      { kind: "scale", nf: "upf", replicas: 2 },
    ]);
    // Without such words, no closed loop: a slice's latency is an expectation only.
    const slice = plan("Create a URLLC slice with 1 ms latency on edge01");
    expect(slice.expectations).toEqual([{ target: "latency_ms", condition: "IS_LESS_THAN", value: 1 }]);
    expect(slice.assurance).toBeUndefined();
  });
});
