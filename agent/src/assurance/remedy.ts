/**
 * The closed loop's decision, pure: when a capacity expectation of a remediating intent stays NotFulfilled,
 * scale the NF it is on out by one replica (never past the catalog's maximum), once per cool-down; when
 * every expectation on a scaled NF has been Fulfilled for long, go back to what the intent asked. For a
 * traffic steering intent, whose expectations are on the RAN it steers: lower the policy's threshold a step
 * (traffic steered away at a lower load), and raise it back a step at a time once they have held for long.
 * And the plan as the site runs it, with what the loop changed (`withRemedies`).
 */
import type { Action, ExpectationStatus, ExpectationTarget, IntentPlan, Remediation } from "@nephoran/shared";
import { TRAFFIC_STEERING_POLICY_TYPE } from "@nephoran/shared";

/** Expectations more replicas can help with. */
export const CAPACITY: ReadonlySet<ExpectationTarget> = new Set([
  "throughput_mbps",
  "dl_throughput_mbps",
  "ul_throughput_mbps",
  "users",
  "devices",
]);

/** A setting of an NF the loop changes: its replicas, or a steering threshold, and its value. */
export type Setting = Pick<Remediation, "nf" | "replicas" | "threshold">;

/** One step: the setting changed on the NF, against what was asked, and why. */
export type Remedy = Setting & Pick<Remediation, "asked" | "reason">;

/** A steering threshold moves this many points of load a step, and is never lowered below the floor. */
export const STEERING_STEP = 10;
export const STEERING_FLOOR = 10;

/** Whether two steps change the same setting of the same NF. */
export const sameSetting = (a: Setting, b: Setting): boolean =>
  a.nf === b.nf && (a.threshold === undefined) === (b.threshold === undefined);

/** The replicas the plan asks of `nf`: its deploy or scale action's count (a deploy without one: 1). */
export function askedReplicas(plan: IntentPlan, nf: string): number | undefined {
  const counts = plan.actions
    .filter((a) => a.nf === nf && (a.kind === "deploy" || a.kind === "scale"))
    .map((a) => a.replicas ?? (a.kind === "deploy" ? 1 : undefined))
    .filter((n): n is number => n !== undefined);
  return counts.length ? Math.max(...counts) : undefined;
}

/** The plan's traffic steering policy and the threshold it asks, if it has one. */
export function steering(plan: IntentPlan): { action: Action; asked: number } | undefined {
  for (const a of plan.actions) {
    const threshold = a.params?.["threshold"];
    if (
      a.kind === "policy" &&
      a.params?.["policyTypeId"] === TRAFFIC_STEERING_POLICY_TYPE &&
      typeof threshold === "number"
    )
      return { action: a, asked: threshold };
  }
  return undefined;
}

/**
 * The plan with what the loop set: each remedied NF's deploy and scale actions at its replicas, a steering
 * policy at its threshold.
 */
export function withRemedies(plan: IntentPlan, rs: readonly Setting[]): IntentPlan {
  if (!rs.length) return plan;
  return {
    ...plan,
    actions: plan.actions.map((a) => {
      const scaled = rs.find((x) => x.nf === a.nf && x.replicas !== undefined);
      if (scaled?.replicas !== undefined && (a.kind === "deploy" || a.kind === "scale"))
        return { ...a, replicas: scaled.replicas };
      const steered = rs.find((x) => x.nf === a.nf && x.threshold !== undefined);
      if (steered?.threshold !== undefined && a.kind === "policy" && a === steering(plan)?.action)
        return { ...a, params: { ...a.params, threshold: steered.threshold } };
      return a;
    }),
  };
}

const shown = (v: number | undefined) => (v === undefined ? "no data" : String(Math.round(v * 100) / 100));
const SAYS = { IS_LESS_THAN: "<", IS_GREATER_THAN: ">", IS_EQUAL_TO: "=" } as const;

export function remedyFor(input: {
  readonly plan: IntentPlan;
  readonly expectations: readonly ExpectationStatus[];
  /** What the loop did to each NF at this revision: the setting it changed, its value now, and when. */
  readonly done: readonly (Setting & { readonly at: string })[];
  readonly maxReplicas: (nf: string) => number;
  readonly now: Date;
  readonly cooldownMs: number;
  readonly scaleBackMs: number;
}): Remedy | undefined {
  return scaleStep(input) ?? steerStep(input);
}

function scaleStep(input: Parameters<typeof remedyFor>[0]): Remedy | undefined {
  const { plan, expectations, now } = input;
  const nfs = [
    ...new Set(expectations.filter((x) => x.nf && CAPACITY.has(x.target)).map((x) => x.nf as string)),
  ];
  for (const nf of nfs) {
    const asked = askedReplicas(plan, nf);
    if (asked === undefined) continue;
    const did = input.done.find((d) => d.nf === nf && d.replicas !== undefined);
    if (did && now.getTime() - Date.parse(did.at) < input.cooldownMs) continue;
    const current = did?.replicas ?? asked;
    const short = expectations.find(
      (x) => x.nf === nf && CAPACITY.has(x.target) && x.state === "NotFulfilled",
    );
    if (short) {
      if (current >= input.maxReplicas(nf)) continue;
      return {
        nf,
        replicas: current + 1,
        asked,
        reason: `${short.target} ${shown(short.measured)}, expected ${SAYS[short.condition]} ${short.value} (not fulfilled since ${short.since}): ${nf} scaled out to ${current + 1}`,
      };
    }
    // Over-fulfilled for long: every expectation on the NF held for the whole scale-back time, and each
    // capacity one would still hold at the replicas asked (capacity taken as proportional to replicas).
    const on = expectations.filter((x) => x.nf === nf);
    const long = (x: ExpectationStatus) =>
      x.state === "Fulfilled" && now.getTime() - Date.parse(x.since) >= input.scaleBackMs;
    const spare = (x: ExpectationStatus) =>
      !CAPACITY.has(x.target) ||
      (x.condition === "IS_GREATER_THAN" &&
        x.measured !== undefined &&
        (x.measured * asked) / current > x.value);
    if (current > asked && on.length && on.every(long) && on.every(spare))
      return {
        nf,
        replicas: asked,
        asked,
        reason: `every expectation on ${nf} fulfilled for ${Math.round(input.scaleBackMs / 1000)} s with room to spare: back to the ${asked} the intent asks`,
      };
  }
  return undefined;
}

/**
 * Traffic steering: the expectations on NFs the intent does not scale (the RAN it steers) judge its policy.
 * One stays NotFulfilled → the threshold a step lower, never below the floor; all of them Fulfilled for the
 * scale-back time → a step back up, never past what the intent asks. Once per cool-down.
 */
function steerStep(input: Parameters<typeof remedyFor>[0]): Remedy | undefined {
  const { plan, now } = input;
  const policy = steering(plan);
  if (!policy) return undefined;
  const { nf } = policy.action;
  const on = input.expectations.filter((x) => x.nf && askedReplicas(plan, x.nf) === undefined);
  if (!on.length) return undefined;
  const did = input.done.find((d) => d.nf === nf && d.threshold !== undefined);
  if (did && now.getTime() - Date.parse(did.at) < input.cooldownMs) return undefined;
  const { asked } = policy;
  const current = did?.threshold ?? asked;
  const short = on.find((x) => x.state === "NotFulfilled");
  if (short) {
    const lower = Math.max(STEERING_FLOOR, current - STEERING_STEP);
    if (lower >= current) return undefined;
    return {
      nf,
      threshold: lower,
      asked,
      reason: `${short.target} ${shown(short.measured)} on ${short.nf}, expected ${SAYS[short.condition]} ${short.value} (not fulfilled since ${short.since}): traffic steered at ${lower}% load instead of ${current}%`,
    };
  }
  const long = (x: ExpectationStatus) =>
    x.state === "Fulfilled" && now.getTime() - Date.parse(x.since) >= input.scaleBackMs;
  if (current >= asked || !on.every(long)) return undefined;
  const higher = Math.min(asked, current + STEERING_STEP);
  return {
    nf,
    threshold: higher,
    asked,
    reason: `every expectation on the steered RAN fulfilled for ${Math.round(input.scaleBackMs / 1000)} s: threshold back up to ${higher}% (the intent asks ${asked}%)`,
  };
}
