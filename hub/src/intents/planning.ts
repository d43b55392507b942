/** Turning text or a plan into a validated plan, with the sites the hub knows by name. */
import type { IntentPlan, PlanningError } from "@nephoran/shared";
import { tracing, validatePlan } from "@nephoran/shared";
import type { HubDeps } from "../deps";
import { IntentError, IntentErrorCode } from "./errors";
import { registry } from "./registry";

/** A plan given as input: the plan's fields, source, confidence and priority optional. */
export type PlanInput = Omit<IntentPlan, "source" | "confidence" | "priority"> &
  Partial<Pick<IntentPlan, "source" | "confidence" | "priority">>;

/** Text planned with the hub's registry of sites, or a plan validated as given; refused with the reason. */
export async function resolvePlan(
  deps: HubDeps,
  body: { text?: string | undefined; plan?: PlanInput | undefined },
): Promise<{ plan: IntentPlan; warnings: readonly string[] }> {
  if (body.text !== undefined) {
    const started = performance.now();
    const sites = await registry(deps);
    const r = await tracing().span("plan", { "nephoran.text.length": body.text.length }, () =>
      deps.planner.plan(body.text as string, { sites }),
    );
    deps.metrics.intentProcessing.observe(
      { source: r.ok ? r.value.source : "rules" },
      (performance.now() - started) / 1000,
    );
    deps.metrics.intentsProcessed.inc({ result: r.ok ? "planned" : "refused" });
    if (!r.ok) throw refused(r.error);
    return { plan: r.value.plan, warnings: r.value.warnings };
  }
  const input = { source: "rules", confidence: 1, priority: "medium", ...body.plan };
  const v = validatePlan(input, { catalog: deps.catalog, policy: deps.guardrails });
  if (!v.ok) {
    throw new IntentError(IntentErrorCode.PlanRefused, `the plan breaks a guardrail: ${v.error.message}`, {
      violations: v.error.violations,
    });
  }
  return { plan: v.value, warnings: [] };
}

function refused(e: PlanningError): IntentError {
  return new IntentError(IntentErrorCode.PlanRefused, e.message, { code: e.code, violations: e.violations });
}
