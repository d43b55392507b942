/** Logic the intent routes share: turning text or a plan into a validated plan, and whom a change concerns. */
import type { IntentPlan, SiteSelector } from "@nephoran/shared";
import { PlanningError, validatePlan } from "@nephoran/shared";
import type { z } from "@hono/zod-openapi";
import { selects } from "../rollup";
import type { HubDeps } from "./env";
import { ApiError, ApiErrorCode } from "./errors";
import type { PlanInput } from "./schemas";

export async function resolvePlan(
  deps: HubDeps,
  body: { text?: string | undefined; plan?: z.infer<typeof PlanInput> | undefined },
): Promise<{ plan: IntentPlan; warnings: readonly string[] }> {
  if (body.text !== undefined) {
    const started = performance.now();
    const r = await deps.planner.plan(body.text);
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
    throw new ApiError(422, ApiErrorCode.PlanRefused, `the plan breaks a guardrail: ${v.error.message}`, {
      violations: v.error.violations,
    });
  }
  return { plan: v.value, warnings: [] };
}

function refused(e: PlanningError): ApiError {
  return new ApiError(422, ApiErrorCode.PlanRefused, e.message, { code: e.code, violations: e.violations });
}

/** Sites an old or a new selector picks: the ones whose desired state a change touches. */
export function concernedSites(deps: HubDeps, ...selectors: SiteSelector[]): string[] {
  return deps.store
    .allSites()
    .filter((s) => selectors.some((sel) => selects(sel, s)))
    .map((s) => s.id);
}

export { PlanningError };
