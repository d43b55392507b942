import type { Action, IntentPlan } from "../domain";
import { IntentPlan as IntentPlanSchema, cpuMillis, memoryMi } from "../domain";
import type { Catalog } from "../catalog";
import type { Result } from "../result";
import { err, ok } from "../result";
import type { GuardrailPolicy } from "./policy";
import { namespaceAllowed } from "./policy";
import type { Violation } from "./rules";
import {
  FORBIDDEN_NAMESPACE_PREFIXES,
  FORBIDDEN_NAMESPACES,
  FORBIDDEN_PARAM_KEYS,
  GuardrailRule as R,
  TRAFFIC_STEERING_POLICY_TYPE,
} from "./rules";

export interface GuardrailContext {
  readonly catalog: Catalog;
  readonly policy: GuardrailPolicy;
}

function checkAction(a: Action, i: number, ctx: GuardrailContext): Violation[] {
  const out: Violation[] = [];
  const at = (field?: string) => (field ? `actions[${i}].${field}` : `actions[${i}]`);
  const spec = ctx.catalog.get(a.nf);
  if (!spec) {
    out.push({
      rule: R.KnownNf,
      path: at("nf"),
      message: `"${a.nf}" is not a network function in the catalog (known: ${ctx.catalog.ids().join(", ")})`,
    });
  }

  if (a.replicas !== undefined) {
    const max = spec?.maxReplicas ?? 10;
    const min = a.kind === "deploy" ? 1 : 0;
    if (a.replicas < min || a.replicas > max) {
      out.push({
        rule: R.Replicas,
        path: at("replicas"),
        message: `${a.nf} replicas must be between ${min} and ${max}, got ${a.replicas}`,
      });
    }
  }

  if (a.resources && spec) {
    const { cpu, memory } = a.resources;
    if (cpu !== undefined && cpuMillis(cpu) > cpuMillis(spec.resources.max.cpu)) {
      out.push({
        rule: R.ResourcesMax,
        path: at("resources.cpu"),
        message: `${a.nf} CPU ${cpu} is above its maximum of ${spec.resources.max.cpu}`,
      });
    }
    if (cpu !== undefined && cpuMillis(cpu) <= 0) {
      out.push({
        rule: R.ResourcesMax,
        path: at("resources.cpu"),
        message: `${a.nf} CPU must be above zero`,
      });
    }
    if (memory !== undefined && memoryMi(memory) > memoryMi(spec.resources.max.memory)) {
      out.push({
        rule: R.ResourcesMax,
        path: at("resources.memory"),
        message: `${a.nf} memory ${memory} is above its maximum of ${spec.resources.max.memory}`,
      });
    }
    if (memory !== undefined && memoryMi(memory) < 16) {
      out.push({
        rule: R.ResourcesMax,
        path: at("resources.memory"),
        message: `${a.nf} memory ${memory} is below the minimum of 16Mi`,
      });
    }
  }

  if (a.namespace !== undefined) {
    if (
      FORBIDDEN_NAMESPACES.includes(a.namespace) ||
      FORBIDDEN_NAMESPACE_PREFIXES.some((p) => a.namespace?.startsWith(p)) ||
      !namespaceAllowed(a.namespace, ctx.policy.namespaces)
    ) {
      out.push({
        rule: R.Namespace,
        path: at("namespace"),
        message: `namespace "${a.namespace}" is not allowed (allowed: ${ctx.policy.namespaces.join(", ")})`,
      });
    }
  }

  for (const key of Object.keys(a.params ?? {})) {
    const hit = FORBIDDEN_PARAM_KEYS.find((f) => f.pattern.test(key));
    if (hit)
      out.push({
        rule: hit.rule,
        path: at(`params.${key}`),
        message: `"${key}" is not allowed: workloads run unprivileged, off the host network and host filesystem, and never create cluster-scoped objects`,
      });
  }

  out.push(...checkShape(a, i, at));
  return out;
}

function checkShape(a: Action, _i: number, at: (field?: string) => string): Violation[] {
  const shape = (message: string, field?: string): Violation => ({
    rule: R.ActionShape,
    path: at(field),
    message,
  });
  switch (a.kind) {
    case "deploy":
      return [];
    case "scale":
      return a.replicas === undefined ? [shape(`scaling ${a.nf} needs a replica count`, "replicas")] : [];
    case "delete":
      return a.replicas !== undefined || a.resources || a.capacity || a.params
        ? [shape(`deleting ${a.nf} takes no replicas, resources, capacity or params`)]
        : [];
    case "configure":
      return a.replicas === undefined && !a.resources && !a.capacity && !a.params && !a.slice
        ? [shape(`configuring ${a.nf} needs something to set (resources, capacity, replicas or params)`)]
        : [];
    case "policy": {
      const out: Violation[] = [];
      const pol = (message: string, field?: string): Violation => ({
        rule: R.Policy,
        path: at(field),
        message,
      });
      if (a.nf !== "near-rt-ric")
        out.push(pol(`policies are applied on the near-rt-ric, not on ${a.nf}`, "nf"));
      const type = a.params?.["policyTypeId"];
      const threshold = a.params?.["threshold"];
      if (type !== TRAFFIC_STEERING_POLICY_TYPE) {
        out.push(
          pol(
            `policyTypeId must be ${TRAFFIC_STEERING_POLICY_TYPE} (traffic steering)`,
            "params.policyTypeId",
          ),
        );
      }
      if (typeof threshold !== "number" || threshold < 0 || threshold > 100) {
        out.push(
          pol(
            "a traffic steering policy needs a threshold between 0 and 100 (percent load)",
            "params.threshold",
          ),
        );
      }
      return out;
    }
  }
}

/** Every guardrail violation of a schema-valid plan; an empty list means the plan may be applied. */
export function checkPlan(plan: IntentPlan, ctx: GuardrailContext): Violation[] {
  const out: Violation[] = plan.actions.flatMap((a, i) => checkAction(a, i, ctx));

  const seen = new Map<string, number>();
  plan.actions.forEach((a, i) => {
    const key = `${a.nf}/${a.namespace ?? ""}`;
    const first = seen.get(key);
    if (first !== undefined) {
      out.push({
        rule: R.UniqueAction,
        path: `actions[${i}]`,
        message: `${a.nf} appears twice (actions ${first} and ${i}); say it once`,
      });
    } else seen.set(key, i);
  });

  if (plan.intentType === "slice.deploy" && !plan.actions.some((a) => a.slice)) {
    out.push({
      rule: R.Slice,
      path: "actions",
      message: "a slice intent needs at least one action carrying the slice",
    });
  }
  const sites = plan.sites;
  if (sites?.all && (sites.names?.length || Object.keys(sites.matchLabels ?? {}).length)) {
    out.push({
      rule: R.Sites,
      path: "sites",
      message: "choose either all sites or named/labelled sites, not both",
    });
  }
  plan.expectations?.forEach((e, i) => {
    if (e.target === "availability" && e.value > 100) {
      out.push({
        rule: R.Expectation,
        path: `expectations[${i}].value`,
        message: "availability is a percentage up to 100",
      });
    }
    if (e.target === "latency_ms" && e.value <= 0) {
      out.push({
        rule: R.Expectation,
        path: `expectations[${i}].value`,
        message: "latency must be above 0 ms",
      });
    }
  });
  return out;
}

export class PlanRejectedError extends Error {
  override readonly name = "PlanRejectedError";
  constructor(readonly violations: readonly Violation[]) {
    super(violations.map((v) => `${v.rule}: ${v.message}`).join("; "));
  }
}

/** Parse untrusted input as an IntentPlan and apply every guardrail. */
export function validatePlan(input: unknown, ctx: GuardrailContext): Result<IntentPlan, PlanRejectedError> {
  const parsed = IntentPlanSchema.safeParse(input);
  if (!parsed.success) {
    return err(
      new PlanRejectedError(
        parsed.error.issues.map((issue) => ({
          rule: R.Schema,
          path: issue.path.map(String).join(".") || "(plan)",
          message: issue.message,
        })),
      ),
    );
  }
  const violations = checkPlan(parsed.data, ctx);
  return violations.length ? err(new PlanRejectedError(violations)) : ok(parsed.data);
}
