/**
 * Measuring an intent's expectations: which NF each is on, the query that measures it there, and what a
 * measured value means (`judge`). Pure: the agent runs the queries and keeps the state over time.
 */
import type { Catalog, Kpi } from "../catalog";
import type { Expectation, Fulfilment, IntentPlan } from "../domain";

/**
 * What to ask the metrics for one expectation, on the NF it is on: the expectation's own PromQL over its pods
 * (`query`); or a catalog query, asked once for every intent's pods (`batch`: the template, this intent's
 * pods, how their values add up); or why it cannot be measured.
 */
export type Measure =
  | { readonly nf: string; readonly query: string }
  | {
      readonly nf: string;
      readonly batch: {
        readonly template: string;
        readonly pods: readonly string[];
        readonly across: Kpi["across"];
      };
    }
  | { readonly nf?: string; readonly unmeasurable: string };

/** Escapes a pod name prefix for a PromQL regular expression. */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&");

/** A regular expression over the pods of workloads named so (`upf-a1b2` → its pods `upf-a1b2-…`). */
export const podsOf = (names: readonly string[]): string => `(${names.map(escape).join("|")})-.*`;

/** A query template filled in: for one intent's pods, or (`perPod`) for many, one series per pod. */
export function fill(template: string, pods: string, window: string, perPod = false): string {
  return template
    .replaceAll("{{pods}}", pods)
    .replaceAll("{{window}}", window)
    .replaceAll(" {{by}}", perPod ? " by (pod)" : "")
    .replaceAll("{{by}}", perPod ? "by (pod)" : "")
    .replaceAll("{{le}}", perPod ? "le, pod" : "le");
}

/**
 * The query for expectation `e` of `plan`, on its `nf` — else on the first of the plan's NFs the catalog can
 * measure the target on that runs here (the first such at all, when none does); a traffic steering policy's
 * expectations are on the RAN it steers, so the catalog's RAN functions follow the plan's own — over the
 * NF's instances at the site (`workloads`: their names) and a rate window.
 */
export function measureOf(
  e: Expectation,
  plan: IntentPlan,
  catalog: Catalog,
  at: { readonly workloads: (nf: string) => readonly string[]; readonly window: string },
): Measure {
  const nfs = [...new Set(plan.actions.map((a) => a.nf))];
  const steered = plan.actions.some((a) => a.kind === "policy")
    ? catalog
        .list()
        .filter((s) => s.domain === "ran")
        .map((s) => s.id)
    : [];
  const measurable = [...nfs, ...steered].filter((n) => catalog.kpi(n, e.target) !== undefined);
  const nf = e.nf ?? measurable.find((n) => at.workloads(n).length > 0) ?? measurable[0];
  const kpi = nf ? catalog.kpi(nf, e.target) : undefined;
  const template = e.query ?? kpi?.query;
  if (!template)
    return {
      ...(nf ? { nf } : {}),
      unmeasurable: `no query measures ${e.target} on ${nf ?? nfs.join(", ")}; give the expectation a query`,
    };
  const names = nf ? at.workloads(nf) : [];
  if (!names.length && template.includes("{{pods}}"))
    return { ...(nf ? { nf } : {}), unmeasurable: `no ${nf ?? "NF"} instance of this intent runs here` };
  // The catalog's queries are asked once for every intent; an expectation's own is asked as it is.
  return e.query === undefined && kpi
    ? { nf: nf ?? "", batch: { template, pods: names, across: kpi.across } }
    : { nf: nf ?? "", query: fill(template, podsOf(names), at.window) };
}

/**
 * What a measured value means for an expectation: Fulfilled when its condition holds; when it does not,
 * Degraded within a tenth of the target value, NotFulfilled beyond.
 */
export function judge(e: Pick<Expectation, "condition" | "value">, measured: number): Fulfilment {
  const margin = Math.abs(e.value) * 0.1;
  switch (e.condition) {
    case "IS_LESS_THAN":
      return measured < e.value ? "Fulfilled" : measured <= e.value + margin ? "Degraded" : "NotFulfilled";
    case "IS_GREATER_THAN":
      return measured > e.value ? "Fulfilled" : measured >= e.value - margin ? "Degraded" : "NotFulfilled";
    case "IS_EQUAL_TO":
      return measured === e.value
        ? "Fulfilled"
        : Math.abs(measured - e.value) <= margin
          ? "Degraded"
          : "NotFulfilled";
  }
}
