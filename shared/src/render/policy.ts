/** An A1 policy instance → a ConfigMap the near-RT RIC's A1 mediator reads. */
import type { PolicyInstance } from "./desired";
import type { K8sObject } from "./types";
import { ANNOTATIONS } from "./types";
import { labelsFor } from "./workload";

export function renderPolicy(p: PolicyInstance, site: string): K8sObject {
  const policyTypeId = p.params["policyTypeId"];
  const body = { policyTypeId, policyId: p.name, policy: { threshold: p.params["threshold"] } };
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
