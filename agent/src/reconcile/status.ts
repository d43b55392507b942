/** Reading workload readiness from live objects. */
import type { K8sObject } from "@nephoran/shared";
import { LABELS } from "@nephoran/shared";

export interface WorkloadStatus {
  readonly nf: string;
  readonly name: string;
  readonly desired: number;
  readonly ready: number;
  readonly upToDate: boolean;
}

export function workloadStatus(o: K8sObject): WorkloadStatus | undefined {
  if (o.kind !== "Deployment" && o.kind !== "StatefulSet") return undefined;
  const spec = (o as { spec?: { replicas?: number } }).spec;
  const status = (o as { status?: { readyReplicas?: number; observedGeneration?: number } }).status;
  const generation = (o.metadata as { generation?: number }).generation;
  return {
    nf: o.metadata.labels?.[LABELS.nf] ?? "unknown",
    name: o.metadata.name,
    desired: spec?.replicas ?? 1,
    ready: status?.readyReplicas ?? 0,
    upToDate: generation === undefined || (status?.observedGeneration ?? 0) >= generation,
  };
}
