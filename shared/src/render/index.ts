/** Rendering: a site's intents → the Kubernetes objects that realise them. Pure. */
import type { Catalog } from "../catalog";
import type { SiteIntent } from "./desired";
import { desiredState } from "./desired";
import type { A1Policy } from "./policy";
import { a1Policy, renderPolicy } from "./policy";
import type { K8sObject } from "./types";
import { renderInstance } from "./workload";

export * from "./types";
export * from "./desired";
export { objectName, shortHash } from "./names";
export { renderInstance } from "./workload";
export type { RenderContext } from "./workload";
export { a1Policy, renderPolicy } from "./policy";
export type { A1Policy } from "./policy";
export { verifyObjects } from "./verify";

export interface RenderedSite {
  readonly objects: K8sObject[];
  /** Per intent: the names of the workloads it owns or shaped, for status. */
  readonly workloadsByIntent: ReadonlyMap<string, readonly string[]>;
  readonly problems: ReadonlyMap<string, readonly string[]>;
  /** The A1 policy instances the site's intents ask the near-RT RIC to enforce. */
  readonly policies: readonly A1Policy[];
}

export function renderSite(
  intents: readonly SiteIntent[],
  ctx: { catalog: Catalog; site: string },
): RenderedSite {
  const state = desiredState(intents, ctx.catalog);
  const objects: K8sObject[] = [];
  const workloadsByIntent = new Map<string, string[]>();
  for (const inst of state.instances) {
    objects.push(...renderInstance(inst, ctx));
    for (const id of inst.contributors)
      workloadsByIntent.set(id, [...(workloadsByIntent.get(id) ?? []), `${inst.namespace}/${inst.name}`]);
  }
  for (const p of state.policies) objects.push(renderPolicy(p, ctx.site));
  return { objects, workloadsByIntent, problems: state.problems, policies: state.policies.map(a1Policy) };
}
