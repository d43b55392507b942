/**
 * A site's desired state: its intents folded in order. A deploy creates an NF instance owned by its
 * intent; later scale, configure and delete actions change the instances of that NF that earlier
 * intents created; a policy action adds an A1 policy.
 */
import type { Catalog } from "../catalog";
import type { Action, Capacity, Expectation, IntentPlan, Params, Slice } from "../domain";
import { objectName } from "./names";

export interface SiteIntent {
  readonly id: string;
  readonly revision: number;
  readonly plan: IntentPlan;
}

export interface NfInstance {
  readonly name: string;
  readonly nf: string;
  readonly namespace: string;
  readonly owner: string;
  readonly ownerRevision: number;
  replicas: number;
  cpu?: string;
  memory?: string;
  capacity?: Capacity;
  slice?: Slice;
  params: Params;
  expectations: readonly Expectation[];
  /** Intents whose actions shaped this instance, the owner first. */
  readonly contributors: string[];
}

export interface PolicyInstance {
  readonly name: string;
  readonly namespace: string;
  readonly owner: string;
  readonly ownerRevision: number;
  readonly params: Params;
}

export interface DesiredState {
  readonly instances: NfInstance[];
  readonly policies: PolicyInstance[];
  /** Per intent, why part of it cannot take effect (e.g. nothing to scale). */
  readonly problems: ReadonlyMap<string, readonly string[]>;
}

export function desiredState(intents: readonly SiteIntent[], catalog: Catalog): DesiredState {
  let instances: NfInstance[] = [];
  const policies: PolicyInstance[] = [];
  const problems = new Map<string, string[]>();
  const problem = (id: string, msg: string) => problems.set(id, [...(problems.get(id) ?? []), msg]);

  for (const intent of intents) {
    for (const a of intent.plan.actions) {
      const spec = catalog.get(a.nf);
      if (!spec) {
        problem(intent.id, `${a.nf} is not in this agent's catalog`);
        continue;
      }
      const matches = (i: NfInstance) =>
        i.nf === a.nf && (a.namespace === undefined || i.namespace === a.namespace);
      switch (a.kind) {
        case "deploy":
          instances.push(newInstance(intent, a, spec.defaultNamespace));
          break;
        case "scale":
        case "configure": {
          const targets = instances.filter(matches);
          if (targets.length === 0) problem(intent.id, `no ${a.nf} is deployed at this site to ${a.kind}`);
          for (const t of targets) modify(t, a, intent.id);
          break;
        }
        case "delete":
          instances = instances.filter((i) => !matches(i));
          break;
        case "policy":
          policies.push({
            name: objectName("a1-policy", intent.id),
            namespace: a.namespace ?? spec.defaultNamespace,
            owner: intent.id,
            ownerRevision: intent.revision,
            params: a.params ?? {},
          });
          break;
      }
    }
  }
  return { instances, policies, problems };
}

/**
 * What each action of a plan touches at a site, in words — the fold above is the rule: a scale or configure
 * changes every instance of its NF (in its namespace, if it names one) that earlier intents at the site
 * deployed; an instance a later intent deploys keeps what that intent says.
 */
export function scopeOf(plan: IntentPlan): string[] {
  return plan.actions.flatMap((a) => {
    const where = a.namespace ? ` in namespace ${a.namespace}` : "";
    switch (a.kind) {
      case "deploy":
        return [`deploy ${a.nf}: a new ${a.nf} instance of this intent's own at each targeted site`];
      case "scale":
      case "configure":
        return [
          `${a.kind} ${a.nf}: every ${a.nf} instance${where} that earlier intents deployed at each targeted site — ` +
            `each instance gets ${a.kind === "scale" ? `${a.replicas ?? "?"} replicas` : "these settings"}; ` +
            `a ${a.nf} deployed by a later intent keeps its own`,
        ];
      case "delete":
        return [
          `delete ${a.nf}: every ${a.nf} instance${where} that earlier intents deployed at each targeted site`,
        ];
      case "policy":
        return [`policy: an A1 policy for the near-RT RIC at each targeted site`];
    }
  });
}

function newInstance(intent: SiteIntent, a: Action, defaultNamespace: string): NfInstance {
  const inst: NfInstance = {
    name: objectName(a.nf, intent.id),
    nf: a.nf,
    namespace: a.namespace ?? defaultNamespace,
    owner: intent.id,
    ownerRevision: intent.revision,
    replicas: a.replicas ?? 1,
    params: { ...(a.params ?? {}) },
    expectations: intent.plan.expectations ?? [],
    contributors: [intent.id],
  };
  if (a.resources?.cpu) inst.cpu = a.resources.cpu;
  if (a.resources?.memory) inst.memory = a.resources.memory;
  if (a.capacity) inst.capacity = { ...a.capacity };
  if (a.slice) inst.slice = { ...a.slice };
  return inst;
}

function modify(t: NfInstance, a: Action, intentId: string): void {
  if (a.replicas !== undefined) t.replicas = a.replicas;
  if (a.resources?.cpu) t.cpu = a.resources.cpu;
  if (a.resources?.memory) t.memory = a.resources.memory;
  if (a.capacity) t.capacity = { ...t.capacity, ...a.capacity };
  if (a.slice) t.slice = { ...a.slice };
  if (a.params) Object.assign(t.params, a.params);
  if (!t.contributors.includes(intentId)) t.contributors.push(intentId);
}
