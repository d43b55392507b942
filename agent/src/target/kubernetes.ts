/** The Kubernetes target: server-side apply against any API server (K3s at the edge). */
import type { K8sObject, ObjectRef } from "@nephoran/shared";
import { LABELS, MANAGED_SELECTOR } from "@nephoran/shared";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeApi, KubeApiError } from "./kube-api";
import type { Manifest } from "./kube-api";
import type { Target } from "./types";
import { TargetError, TargetErrorCode } from "./types";

export const FIELD_MANAGER = "nephoran-agent";

const MANAGED_KINDS = [
  { apiVersion: "apps/v1", kind: "Deployment", path: "/apis/apps/v1/deployments" },
  { apiVersion: "apps/v1", kind: "StatefulSet", path: "/apis/apps/v1/statefulsets" },
  { apiVersion: "v1", kind: "Service", path: "/api/v1/services" },
  { apiVersion: "v1", kind: "ConfigMap", path: "/api/v1/configmaps" },
] as const;

interface WatchedObject {
  metadata?: { namespace?: string; name?: string; generation?: number; resourceVersion?: string };
  status?: { readyReplicas?: number; observedGeneration?: number };
}

function fingerprint(o: WatchedObject): string {
  const m = o?.metadata;
  if (m?.generation === undefined) return `v${m?.resourceVersion ?? ""}`;
  const ready = o.status?.readyReplicas ?? 0;
  // observedGeneration only decides readiness once replicas are ready; before that it is noise.
  return `g${m.generation}/r${ready}${ready > 0 ? `/o${o.status?.observedGeneration ?? 0}` : ""}`;
}

/**
 * client-node builds a new https.Agent for every request, so every call pays a TLS handshake (most of
 * an idle agent's CPU). This KubeConfig hands out one keep-alive agent per cluster instead.
 */
class PooledKubeConfig extends KubeConfig {
  readonly #agents = new Map<string, unknown>();

  constructor() {
    super();
    const create = (
      this as unknown as { createAgent: (cluster: unknown, options: Record<string, unknown>) => unknown }
    ).createAgent.bind(this);
    (this as unknown as { createAgent: unknown }).createAgent = (
      cluster: { server?: string } | null,
      options: Record<string, unknown>,
    ) => {
      const key = `${cluster?.server ?? ""}|${String(options["rejectUnauthorized"])}|${options["servername"] ?? ""}`;
      let agent = this.#agents.get(key);
      if (!agent) {
        agent = create(cluster, { ...options, keepAlive: true, maxSockets: 32, maxFreeSockets: 16 });
        this.#agents.set(key, agent);
      }
      return agent;
    };
  }
}

/** Loads a kubeconfig file, or the in-cluster service account when no file is given. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new PooledKubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

export function toTargetError(e: unknown, what: string): TargetError {
  if (e instanceof TargetError) return e;
  if (e instanceof KubeApiError) {
    // It names its request. 4xx other than 408/409/429 means this request will never succeed as written.
    const code = e.status;
    const permanent = code !== undefined && code >= 400 && code < 500 && ![408, 409, 429].includes(code);
    return new TargetError(permanent ? TargetErrorCode.Rejected : TargetErrorCode.Unavailable, e.message, {
      cause: e,
      ...(code === undefined ? {} : { status: code }),
    });
  }
  return new TargetError(TargetErrorCode.Unavailable, `${what}: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
  });
}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;

export class KubernetesTarget implements Target {
  readonly kind = "kubernetes";
  readonly observesStatus = true;
  readonly describe: string;
  readonly #api: KubeApi;
  readonly #namespaces = new Set<string>();

  readonly #selector: string;

  /** Manages only objects labelled for `site`, so agents sharing a cluster never touch each other's. */
  constructor(kc: KubeConfig, site: string, opts: { requestTimeoutMs?: number } = {}) {
    this.#selector = `${MANAGED_SELECTOR},${LABELS.site}=${site}`;
    this.#api = new KubeApi(kc, { timeoutMs: opts.requestTimeoutMs ?? 15_000 });
    this.describe = this.#api.server;
  }

  /** The cluster's REST API, for the agent's other objects (its NetworkIntents). */
  get api(): KubeApi {
    return this.#api;
  }

  async ensureNamespaces(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (this.#namespaces.has(name)) continue;
      const ns = { apiVersion: "v1", kind: "Namespace", name };
      try {
        await this.#api.read(ns, `reading namespace ${name}`);
      } catch (e: unknown) {
        if (!isNotFound(e)) throw toTargetError(e, `reading namespace ${name}`);
        try {
          await this.#api.create(
            {
              apiVersion: "v1",
              kind: "Namespace",
              metadata: { name, labels: { "app.kubernetes.io/managed-by": FIELD_MANAGER } },
            } as Manifest,
            `creating namespace ${name}`,
          );
        } catch (c: unknown) {
          if (!isConflict(c)) throw toTargetError(c, `creating namespace ${name}`);
        }
      }
      this.#namespaces.add(name);
    }
  }

  async listManaged(): Promise<K8sObject[]> {
    const lists = await Promise.all(
      MANAGED_KINDS.map(async (k) => {
        try {
          const list = await this.#api.list<K8sObject>(
            k,
            { labelSelector: this.#selector },
            `listing ${k.kind}s`,
          );
          return list.items.map((item) => ({ ...item, apiVersion: k.apiVersion, kind: k.kind }) as K8sObject);
        } catch (e: unknown) {
          throw toTargetError(e, `listing ${k.kind}s`);
        }
      }),
    );
    return lists.flat();
  }

  async apply(obj: K8sObject): Promise<void> {
    const what = `applying ${obj.kind} ${nameOf(obj.metadata)}`;
    try {
      await this.#api.apply(obj, FIELD_MANAGER, what);
    } catch (e: unknown) {
      if (isNotFound(e)) this.#namespaces.delete(obj.metadata.namespace ?? "");
      throw toTargetError(e, what);
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    const what = `deleting ${ref.kind} ${nameOf(ref)}`;
    try {
      await this.#api.delete(ref, what);
    } catch (e: unknown) {
      if (isNotFound(e)) return;
      throw toTargetError(e, what);
    }
  }

  /** What a watch event must change to matter: the spec (generation) or readiness of workloads; anything of the rest. */
  readonly #seen = new Map<string, string>();

  /**
   * One watch per managed kind; ends (resolves) as soon as any of them ends, so the caller restarts
   * all. Controllers' status chatter and the ADDED replay at each watch start do not trigger passes:
   * only a changed spec, a changed readiness, or a delete does.
   */
  async watch(onChange: (why: string) => void, signal: AbortSignal): Promise<void> {
    const all = new AbortController();
    const stop = () => all.abort();
    signal.addEventListener("abort", stop, { once: true });
    try {
      await Promise.race(
        MANAGED_KINDS.map((k) =>
          this.#api.watch<WatchedObject>(
            k.path,
            { labelSelector: this.#selector, allowWatchBookmarks: true },
            ({ type, object: obj }) => {
              if (type === "BOOKMARK") return;
              if (type === "ERROR") {
                // The server gave up on this watch (its history expired): start every watch over.
                onChange(`ERROR watching ${k.kind}s`);
                return all.abort();
              }
              const key = `${k.kind}/${obj?.metadata?.namespace ?? ""}/${obj?.metadata?.name ?? ""}`;
              if (type === "DELETED") {
                this.#seen.delete(key);
                onChange(`DELETED ${key}`);
                return;
              }
              const fp = fingerprint(obj);
              if (this.#seen.get(key) === fp) return;
              const known = this.#seen.has(key);
              this.#seen.set(key, fp);
              if (known || type === "MODIFIED") onChange(`${type} ${key}`);
            },
            all.signal,
          ),
        ),
      );
    } finally {
      all.abort();
      signal.removeEventListener("abort", stop);
    }
  }
}

/** An object's name as kubectl shows it: namespace/name, or the name alone for a cluster-scoped object. */
const nameOf = (o: { readonly namespace?: string | undefined; readonly name: string }): string =>
  o.namespace ? `${o.namespace}/${o.name}` : o.name;
