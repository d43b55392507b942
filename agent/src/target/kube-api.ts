/**
 * The agent's Kubernetes REST client: client-node's KubeConfig for the cluster, credentials and TLS, and
 * plain HTTPS requests for the rest — server-side apply, read, list, delete, watch. The agent sends and
 * reads objects as JSON as they are; it does not load client-node's generated API classes and models
 * (their serializer cost a few milliseconds of CPU a request and most of the library's memory).
 */
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** A request that failed: the server answered with an error `status`, or (without one) did not answer. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    what: string,
    problem: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`${what}: ${problem}`, options);
  }

  /** The server's answer to `what`, an error status and its body. */
  static answered(what: string, status: number, body: string): KubeApiError {
    return new KubeApiError(what, `HTTP ${status}: ${body.slice(0, 400)}`, status);
  }
}

/** Names an object (or, without a name, its collection). */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** The kinds the agent writes, so that none of them needs a discovery request. */
const KNOWN: Readonly<Record<string, Resource>> = {
  "v1/Namespace": { plural: "namespaces", namespaced: false },
  "v1/ConfigMap": { plural: "configmaps", namespaced: true },
  "v1/Service": { plural: "services", namespaced: true },
  "v1/Secret": { plural: "secrets", namespaced: true },
  "apps/v1/Deployment": { plural: "deployments", namespaced: true },
  "apps/v1/StatefulSet": { plural: "statefulsets", namespaced: true },
  "apps/v1/DaemonSet": { plural: "daemonsets", namespaced: true },
  "batch/v1/Job": { plural: "jobs", namespaced: true },
  "apiextensions.k8s.io/v1/CustomResourceDefinition": {
    plural: "customresourcedefinitions",
    namespaced: false,
  },
};

/** An object as written: kind and version, and its name (and namespace) in its metadata. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string | undefined };
}

/** Where `obj` lives: itself (`named`), or its collection (to create it in). */
const refTo = (obj: Manifest, named: boolean): ResourceRef => ({
  apiVersion: obj.apiVersion,
  kind: obj.kind,
  namespace: obj.metadata.namespace,
  name: named ? obj.metadata.name : undefined,
});

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
}

/** One event of a watch: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and the object. */
export type WatchEvent<T> = { readonly type: string; readonly object: T };

export class KubeApi {
  readonly server: string;
  readonly #kc: KubeConfig;
  readonly #timeoutMs: number;
  readonly #discovered = new Map<string, Promise<Resource>>();

  constructor(kc: KubeConfig, opts: { timeoutMs: number }) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error("the kubeconfig names no current cluster");
    this.server = server.replace(/\/+$/, "");
    this.#kc = kc;
    this.#timeoutMs = opts.timeoutMs;
  }

  /** The object's path (its collection's without a name), e.g. /apis/apps/v1/namespaces/ns/deployments/amf. */
  async path(ref: ResourceRef, subresource?: string): Promise<string> {
    const r = await this.#resource(ref.apiVersion, ref.kind);
    const base = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = r.namespaced && ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
    const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
    return `${base}${ns}/${r.plural}${name}${subresource ? `/${subresource}` : ""}`;
  }

  read<T>(ref: ResourceRef, what: string): Promise<T> {
    return this.#at(ref, "GET", what);
  }

  create<T>(obj: Manifest, what: string): Promise<T> {
    return this.#at(refTo(obj, false), "POST", what, { body: obj });
  }

  /** Server-side apply: the server merges `obj` as `fieldManager`'s, taking fields from other managers. */
  apply<T>(obj: Manifest, fieldManager: string, what: string): Promise<T> {
    return this.#at(refTo(obj, true), "PATCH", what, {
      query: { fieldManager, force: true },
      body: obj,
      contentType: "application/apply-patch+yaml",
    });
  }

  /** A JSON merge patch of the object's `subresource` (status) or of the object. */
  mergePatch<T>(ref: ResourceRef, body: unknown, what: string, subresource?: string): Promise<T> {
    return this.#at(ref, "PATCH", what, { body, contentType: "application/merge-patch+json" }, subresource);
  }

  delete(ref: ResourceRef, what: string, propagationPolicy = "Background"): Promise<unknown> {
    return this.#at(ref, "DELETE", what, {
      body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy },
    });
  }

  /** Every object of a kind, in a namespace or (without one) in all. */
  list<T>(ref: ResourceRef, query: Query, what: string): Promise<{ items: T[] }> {
    return this.#at({ ...ref, name: undefined }, "GET", what, { query });
  }

  async request<T>(method: string, path: string, what: string, opts: RequestOptions = {}): Promise<T> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await this.#send(method, path, what, opts, deadline);
      status = res.statusCode ?? 0;
      text = await new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        res.on("error", reject);
        res.on("close", () => reject(new Error("the connection closed mid-answer")));
      });
    } catch (e: unknown) {
      if (e instanceof KubeApiError && !deadline.aborted) throw e;
      const problem = deadline.aborted ? `no answer within ${this.#timeoutMs} ms` : (e as Error).message;
      throw new KubeApiError(what, problem, undefined, { cause: e });
    }
    if (status < 200 || status >= 300) throw KubeApiError.answered(what, status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Watches a collection from `path`: calls `onEvent` per event until the server ends the stream, the link
   * fails or `signal` aborts; resolves then (never rejects), so the caller decides when to watch again.
   */
  async watch<T>(
    path: string,
    query: Query,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    let res: http.IncomingMessage;
    try {
      res = await this.#send("GET", path, `watching ${path}`, { query: { ...query, watch: true } }, signal);
    } catch {
      return;
    }
    if (res.statusCode !== 200) return void res.resume();
    await new Promise<void>((resolve) => {
      let rest = "";
      const end = () => {
        signal.removeEventListener("abort", end);
        res.destroy();
        resolve();
      };
      signal.addEventListener("abort", end, { once: true });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          let event: WatchEvent<T>;
          try {
            event = JSON.parse(line) as WatchEvent<T>;
          } catch {
            return end(); // a garbled stream: start over
          }
          onEvent(event);
        }
      });
      res.on("end", end);
      res.on("error", end);
      res.on("close", end);
    });
  }

  #at<T>(
    ref: ResourceRef,
    method: string,
    what: string,
    opts: RequestOptions = {},
    subresource?: string,
  ): Promise<T> {
    return this.path(ref, subresource).then((p) => this.request<T>(method, p, what, opts));
  }

  /** Sends a request and resolves with the response's head. */
  async #send(
    method: string,
    path: string,
    what: string,
    opts: RequestOptions,
    signal: AbortSignal,
  ): Promise<http.IncomingMessage> {
    const options: https.RequestOptions = {};
    await this.#kc.applyToHTTPSOptions(options);
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: http.OutgoingHttpHeaders = {
      ...(options.headers as http.OutgoingHttpHeaders | undefined),
      accept: "application/json",
    };
    if (body !== undefined) {
      headers["content-type"] = opts.contentType ?? "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const send = url.protocol === "http:" ? http.request : https.request;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...options, method, headers, signal }, resolve);
      req.on("error", (e) => reject(new KubeApiError(what, e.message, undefined, { cause: e })));
      req.end(body);
    });
  }

  async #resource(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    const known = KNOWN[key];
    if (known) return known;
    let found = this.#discovered.get(key);
    if (!found) {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
        "GET",
        base,
        `discovering ${key}`,
      ).then((list) => {
        const r = list.resources.find((x) => x.kind === kind && !x.name.includes("/"));
        if (!r)
          throw KubeApiError.answered(
            `discovering ${key}`,
            404,
            `the server has no ${kind} in ${apiVersion}`,
          );
        return { plural: r.name, namespaced: r.namespaced };
      });
      // A failed discovery is asked again next time.
      found.catch(() => this.#discovered.delete(key));
      this.#discovered.set(key, found);
    }
    return found;
  }
}
