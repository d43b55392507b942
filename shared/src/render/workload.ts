/** One NF instance → its workload (Deployment or StatefulSet), Service and ConfigMap. */
import type { Catalog, NfSpec } from "../catalog";
import { resourcesForCapacity } from "../catalog";
import type { NfInstance } from "./desired";
import { shortHash } from "./names";
import type { K8sObject } from "./types";
import { ANNOTATIONS, LABELS, MANAGED_BY } from "./types";

export interface RenderContext {
  readonly catalog: Catalog;
  readonly site: string;
}

const RUN_AS = 10001;
const SAFE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function labelsFor(
  inst: { name: string; nf: string; owner: string },
  site: string,
  spec?: NfSpec,
): Record<string, string> {
  return {
    [LABELS.name]: inst.nf,
    [LABELS.instance]: inst.name,
    ...(spec ? { [LABELS.component]: spec.domain } : {}),
    [LABELS.partOf]: "nephoran",
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.intent]: inst.owner,
    [LABELS.nf]: inst.nf,
    [LABELS.site]: site,
  };
}

function imageFor(spec: NfSpec, version: unknown): string {
  if (typeof version !== "string" && typeof version !== "number") return spec.image;
  const tag = String(version);
  if (!SAFE_TAG.test(tag)) return spec.image;
  const at = spec.image.lastIndexOf(":");
  const repo = at > spec.image.lastIndexOf("/") ? spec.image.slice(0, at) : spec.image;
  return `${repo}:${tag}`;
}

function resourcesOf(inst: NfInstance, spec: NfSpec): { cpu: string; memory: string } {
  const sized = inst.capacity
    ? resourcesForCapacity(spec, inst.capacity, inst.replicas)
    : spec.resources.default;
  return { cpu: inst.cpu ?? sized.cpu, memory: inst.memory ?? sized.memory };
}

export function renderInstance(inst: NfInstance, ctx: RenderContext): K8sObject[] {
  const spec = ctx.catalog.get(inst.nf);
  if (!spec) throw new Error(`render: ${inst.nf} is not in the catalog`);
  const labels = labelsFor(inst, ctx.site, spec);
  if (inst.slice) labels[LABELS.sliceType] = inst.slice.type.toLowerCase();
  const annotations = {
    [ANNOTATIONS.revision]: String(inst.ownerRevision),
    [ANNOTATIONS.contributors]: inst.contributors.join(","),
  };
  const meta = (name: string) => ({
    name,
    namespace: inst.namespace,
    labels: { ...labels },
    annotations: { ...annotations },
  });

  const config = {
    nf: inst.nf,
    site: ctx.site,
    intent: inst.owner,
    revision: inst.ownerRevision,
    ports: spec.ports,
    ...(inst.slice ? { slice: inst.slice } : {}),
    ...(inst.capacity ? { capacity: inst.capacity } : {}),
    ...(inst.expectations.length ? { expectations: inst.expectations } : {}),
    params: inst.params,
  };
  const configJson = `${JSON.stringify(config, null, 2)}\n`;
  const configMap: K8sObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${inst.name}-config`),
    data: { "nf.json": configJson },
  };

  const resources = resourcesOf(inst, spec);
  const tcp = spec.ports.find((p) => p.protocol === "TCP");
  const selector = { [LABELS.instance]: inst.name };
  const podTemplate = {
    metadata: { labels: { ...labels }, annotations: { [ANNOTATIONS.configHash]: shortHash(configJson, 16) } },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUN_AS,
        runAsGroup: RUN_AS,
        fsGroup: RUN_AS,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: inst.nf,
          image: imageFor(spec, inst.params["version"]),
          imagePullPolicy: "IfNotPresent",
          ports: spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
          env: [
            { name: "NEPHORAN_NF", value: inst.nf },
            { name: "NEPHORAN_SITE", value: ctx.site },
            { name: "NEPHORAN_INTENT", value: inst.owner },
            { name: "NEPHORAN_CONFIG", value: "/etc/nephoran/nf.json" },
          ],
          resources: { requests: resources, limits: resources },
          ...(tcp ? { readinessProbe: { tcpSocket: { port: tcp.port }, periodSeconds: 10 } } : {}),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: {
              drop: ["ALL"],
              ...(spec.capabilities.length ? { add: [...spec.capabilities] } : {}),
            },
          },
          volumeMounts: [
            { name: "config", mountPath: "/etc/nephoran", readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
          ],
        },
      ],
      volumes: [
        { name: "config", configMap: { name: `${inst.name}-config` } },
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      ],
    },
  };

  const workload: K8sObject = spec.stateful
    ? {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: meta(inst.name),
        spec: {
          replicas: inst.replicas,
          serviceName: inst.name,
          selector: { matchLabels: selector },
          template: podTemplate,
        },
      }
    : {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(inst.name),
        spec: { replicas: inst.replicas, selector: { matchLabels: selector }, template: podTemplate },
      };

  const service: K8sObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(inst.name),
    spec: {
      ...(spec.stateful ? { clusterIP: "None" } : {}),
      selector,
      ports: spec.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.port,
        protocol: p.protocol,
      })),
    },
  };
  return [configMap, workload, service];
}
