/** Loads the intent corpus: plain-language intents with the plan or refusal each must produce. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { GuardrailRule, IntentPlan, PlanningErrorCode } from "@nephoran/shared";

const ExpectedPlan = IntentPlan.omit({ source: true, confidence: true }).extend({
  priority: IntentPlan.shape.priority.default("medium"),
});

const Case = z.union([
  z.strictObject({ text: z.string(), plan: ExpectedPlan }),
  z.strictObject({
    text: z.string(),
    error: z.enum(Object.values(PlanningErrorCode) as [string, ...string[]]),
    rule: z.enum(Object.values(GuardrailRule) as [string, ...string[]]).optional(),
  }),
]);
export type CorpusCase = z.infer<typeof Case>;

export function loadCorpus(file = fileURLToPath(new URL("./intents.json", import.meta.url))): CorpusCase[] {
  return z.array(Case).parse(JSON.parse(readFileSync(file, "utf8")));
}
