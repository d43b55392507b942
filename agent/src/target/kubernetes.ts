/** The Kubernetes target: server-side apply against any API server (K3s at the edge). */
import type { K8sObject, ObjectRef } from "@nephoran/shared";
import { LABELS, MANAGED_SELECTOR } from "@nephoran/shared";
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch } from "@kubernetes/client-node";
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
        agent = create(cluster, { ...options, keepAlive: true, maxSockets: 32, maxFreeSockets: 4 });
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
  if (e instanceof ApiException) {
    const code = e.code as number;
    const body = typeof e.body === "string" ? e.body : JSON.stringify(e.body);
    const message = `${what}: HTTP ${code}: ${(body ?? "").slice(0, 400)}`;
    // 4xx other than 408/409/429 means this request will never succeed as written.
    const permanent = code >= 400 && code < 500 && ![408, 409, 429].includes(code);
    return new TargetError(permanent ? TargetErrorCode.Rejected : TargetErrorCode.Unavailable, message, {
      cause: e,
    });
  }
  return new TargetError(TargetErrorCode.Unavailable, `${what}: ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
  });
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiException && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiException && e.code === 409;

/** Rejects when `p` takes longer than `ms`: a stalled link must not hang a reconcile pass forever. */
async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TargetError(TargetErrorCode.Unavailable, `${what}: no answer within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export class KubernetesTarget implements Target {
  readonly kind = "kubernetes";
  readonly observesStatus = true;
  readonly describe: string;
  readonly #api: KubernetesObjectApi;
  readonly #kc: KubeConfig;
  readonly #namespaces = new Set<string>();

  readonly #selector: string;

  readonly #timeoutMs: number;

  /** Manages only objects labelled for `site`, so agents sharing a cluster never touch each other's. */
  constructor(kc: KubeConfig, site: string, opts: { requestTimeoutMs?: number } = {}) {
    this.#timeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.#selector = `${MANAGED_SELECTOR},${LABELS.site}=${site}`;
    this.#kc = kc;
    this.#api = KubernetesObjectApi.makeApiClient(kc);
    this.describe = kc.getCurrentCluster()?.server ?? "in-cluster";
  }

  /** Bounds any other call made through this target's clients. */
  deadline<T>(p: Promise<T>, what: string): Promise<T> {
    return withDeadline(p, this.#timeoutMs, what);
  }

  get api(): KubernetesObjectApi {
    return this.#api;
  }

  get config(): KubeConfig {
    return this.#kc;
  }

  async ensureNamespaces(names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (this.#namespaces.has(name)) continue;
      const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
      try {
        await withDeadline(this.#api.read(ns), this.#timeoutMs, `reading namespace ${name}`);
      } catch (e: unknown) {
        if (!isNotFound(e)) throw toTargetError(e, `reading namespace ${name}`);
        try {
          await withDeadline(
            this.#api.create({
              ...ns,
              metadata: { name, labels: { "app.kubernetes.io/managed-by": FIELD_MANAGER } },
            }),
            this.#timeoutMs,
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
    const out: K8sObject[] = [];
    for (const k of MANAGED_KINDS) {
      try {
        const list = await withDeadline(
          this.#api.list(
            k.apiVersion,
            k.kind,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            this.#selector,
          ),
          this.#timeoutMs,
          `listing ${k.kind}s`,
        );
        for (const item of list.items)
          out.push({ ...item, apiVersion: k.apiVersion, kind: k.kind } as K8sObject);
      } catch (e: unknown) {
        throw toTargetError(e, `listing ${k.kind}s`);
      }
    }
    return out;
  }

  async apply(obj: K8sObject): Promise<void> {
    try {
      await withDeadline(
        this.#api.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
        this.#timeoutMs,
        `applying ${obj.kind} ${obj.metadata.name}`,
      );
    } catch (e: unknown) {
      if (isNotFound(e)) this.#namespaces.delete(obj.metadata.namespace ?? "");
      throw toTargetError(e, `applying ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`);
    }
  }

  async remove(ref: ObjectRef): Promise<void> {
    try {
      await withDeadline(
        this.#api.delete(
          {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          "Background",
        ),
        this.#timeoutMs,
        `deleting ${ref.kind} ${ref.namespace}/${ref.name}`,
      );
    } catch (e: unknown) {
      if (isNotFound(e)) return;
      throw toTargetError(e, `deleting ${ref.kind} ${ref.namespace}/${ref.name}`);
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
    const w = new Watch(this.#kc);
    const controllers: AbortController[] = [];
    await new Promise<void>((resolve) => {
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        for (const c of controllers) c.abort();
        resolve();
      };
      signal.addEventListener("abort", end, { once: true });
      for (const k of MANAGED_KINDS) {
        w.watch(
          k.path,
          { labelSelector: this.#selector, allowWatchBookmarks: true },
          (phase, obj: WatchedObject) => {
            if (phase === "BOOKMARK") return;
            const key = `${k.kind}/${obj?.metadata?.namespace ?? ""}/${obj?.metadata?.name ?? ""}`;
            if (phase === "DELETED") {
              this.#seen.delete(key);
              onChange(`DELETED ${key}`);
              return;
            }
            const fp = fingerprint(obj);
            if (this.#seen.get(key) === fp) return;
            const known = this.#seen.has(key);
            this.#seen.set(key, fp);
            if (known || phase === "MODIFIED") onChange(`${phase} ${key}`);
          },
          () => end(),
        ).then(
          (c) => {
            controllers.push(c);
            if (ended) c.abort();
          },
          () => end(),
        );
      }
    });
  }
}
