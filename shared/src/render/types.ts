/** Kubernetes objects as plain data: what rendering produces and targets apply. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const refOf = (o: K8sObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace ?? "default",
  name: o.metadata.name,
});

export const refKey = (r: ObjectRef): string => `${r.kind}/${r.namespace}/${r.name}`;

export const LABELS = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  managedBy: "app.kubernetes.io/managed-by",
  intent: "nephoran.io/intent",
  nf: "nephoran.io/nf",
  site: "nephoran.io/site",
  sliceType: "nephoran.io/slice-type",
} as const;

export const ANNOTATIONS = {
  revision: "nephoran.io/revision",
  configHash: "nephoran.io/config-hash",
  contributors: "nephoran.io/contributors",
} as const;

export const MANAGED_BY = "nephoran-agent";
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

/** The kinds rendering may produce; anything else in a rendered set is a defect. */
export const RENDERED_KINDS = ["Deployment", "StatefulSet", "Service", "ConfigMap"] as const;
