/**
 * The closed loop's decision, pure: when a capacity expectation of a remediating intent stays NotFulfilled,
 * scale the NF it is on out by one replica (never past the catalog's maximum), once per cool-down; when
 * every expectation on a scaled NF has been Fulfilled for long, go back to what the intent asked. And the
 * plan as the site runs it, with what the loop changed (`withRemedies`).
 */
import type { ExpectationStatus, ExpectationTarget, IntentPlan } from "@nephoran/shared";

/** Expectations more replicas can help with. */
export const CAPACITY: ReadonlySet<ExpectationTarget> = new Set([
  "throughput_mbps",
  "dl_throughput_mbps",
  "ul_throughput_mbps",
  "users",
  "devices",
]);

export interface Remedy {
  readonly nf: string;
  readonly replicas: number;
  readonly asked: number;
  readonly reason: string;
}

/** The replicas the plan asks of `nf`: its deploy or scale action's count (a deploy without one: 1). */
export function askedReplicas(plan: IntentPlan, nf: string): number | undefined {
  const counts = plan.actions
    .filter((a) => a.nf === nf && (a.kind === "deploy" || a.kind === "scale"))
    .map((a) => a.replicas ?? (a.kind === "deploy" ? 1 : undefined))
    .filter((n): n is number => n !== undefined);
  return counts.length ? Math.max(...counts) : undefined;
}

/** The plan with each remedied NF's deploy and scale actions at the replicas the loop set. */
export function withRemedies(plan: IntentPlan, rs: readonly { nf: string; replicas: number }[]): IntentPlan {
  if (!rs.length) return plan;
  return {
    ...plan,
    actions: plan.actions.map((a) => {
      const r = rs.find((x) => x.nf === a.nf);
      return r && (a.kind === "deploy" || a.kind === "scale") ? { ...a, replicas: r.replicas } : a;
    }),
  };
}

const shown = (v: number | undefined) => (v === undefined ? "no data" : String(Math.round(v * 100) / 100));
const SAYS = { IS_LESS_THAN: "<", IS_GREATER_THAN: ">", IS_EQUAL_TO: "=" } as const;

export function remedyFor(input: {
  readonly plan: IntentPlan;
  readonly expectations: readonly ExpectationStatus[];
  /** What the loop did to each NF at this revision: its replicas now and when. */
  readonly done: readonly { nf: string; replicas: number; at: string }[];
  readonly maxReplicas: (nf: string) => number;
  readonly now: Date;
  readonly cooldownMs: number;
  readonly scaleBackMs: number;
}): Remedy | undefined {
  const { plan, expectations, now } = input;
  const nfs = [
    ...new Set(expectations.filter((x) => x.nf && CAPACITY.has(x.target)).map((x) => x.nf as string)),
  ];
  for (const nf of nfs) {
    const asked = askedReplicas(plan, nf);
    if (asked === undefined) continue;
    const did = input.done.find((d) => d.nf === nf);
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
