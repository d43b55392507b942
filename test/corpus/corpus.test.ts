import { describe, expect, it } from "vitest";
import { Catalog, RulesPlanner, defaultGuardrailPolicy } from "@nephoran/shared";
import { loadCorpus } from "./corpus";

const planner = new RulesPlanner({ catalog: new Catalog(), policy: defaultGuardrailPolicy() });
const corpus = loadCorpus();

describe("intent corpus", () => {
  it("has at least 150 cases, positive and negative", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(150);
    expect(corpus.filter((c) => "plan" in c).length).toBeGreaterThan(100);
    expect(corpus.filter((c) => "error" in c).length).toBeGreaterThan(30);
  });

  for (const c of corpus) {
    it(`${"plan" in c ? "plans" : "refuses"}: ${JSON.stringify(c.text)}`, () => {
      const r = planner.planSync(c.text);
      if ("plan" in c) {
        if (!r.ok) throw new Error(`refused with ${r.error.code}: ${r.error.message}`);
        const { source, confidence, ...plan } = r.value.plan;
        expect(source).toBe("rules");
        expect(confidence).toBeGreaterThan(0);
        expect(plan).toEqual(c.plan);
      } else {
        if (r.ok) throw new Error(`expected ${c.error}, got plan ${JSON.stringify(r.value.plan)}`);
        expect(r.error.code).toBe(c.error);
        expect(r.error.message.length).toBeGreaterThan(10);
        if (c.rule) expect(r.error.violations.map((v) => v.rule)).toContain(c.rule);
      }
    });
  }
});
