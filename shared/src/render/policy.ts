/**
 * An A1 policy instance: what is put to the near-RT RIC's A1 interface (`a1Policy`), and the ConfigMap kept
 * as its record at the site (`renderPolicy`).
 */
import type { PolicyInstance } from "./desired";
import type { K8sObject } from "./types";
import { ANNOTATIONS } from "./types";
import { labelsFor } from "./workload";

/** One policy instance as the A1 interface takes it: its type, its id, and the body its type defines. */
export interface A1Policy {
  readonly intentId: string;
  readonly typeId: number;
  readonly id: string;
  readonly body: Record<string, unknown>;
}

export function a1Policy(p: PolicyInstance): A1Policy {
  return {
    intentId: p.owner,
    typeId: Number(p.params["policyTypeId"]),
    id: p.name,
    body: { threshold: p.params["threshold"] },
  };
}

export function renderPolicy(p: PolicyInstance, site: string): K8sObject {
  const a1 = a1Policy(p);
  const policyTypeId = p.params["policyTypeId"];
  const body = { policyTypeId, policyId: a1.id, policy: a1.body };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: {
        ...labelsFor({ name: p.name, nf: "near-rt-ric", owner: p.owner }, site),
        "nephoran.io/a1-policy-type": String(policyTypeId),
      },
      annotations: { [ANNOTATIONS.revision]: String(p.ownerRevision) },
    },
    data: { "policy.json": `${JSON.stringify(body, null, 2)}\n` },
  };
}
