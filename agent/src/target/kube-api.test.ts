/**
 * The REST client's own behaviour — deadlines, error statuses, watch streams, discovery — against a scripted
 * HTTP server on loopback. (Against a real API server it runs in the kube suites.)
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { KubeApi, KubeApiError } from "./kube-api";
import { toTargetError } from "./kubernetes";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server | undefined;
const seen: string[] = [];

afterEach(async () => {
  seen.length = 0;
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function serve(handler: Handler, timeoutMs = 2000): Promise<KubeApi> {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: "c",
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: "u", token: "t0ken" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return new KubeApi(kc, { timeoutMs });
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("the agent's Kubernetes REST client", () => {
  it("applies server-side to the object's own path, with its credentials", async () => {
    let auth: string | undefined;
    let type: string | undefined;
    const api = await serve((req, res) => {
      auth = req.headers.authorization;
      type = req.headers["content-type"];
      json(res, 200, { kind: "ConfigMap" });
    });
    await api.apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "amf", namespace: "5g-core" } },
      "nephoran-agent",
      "applying",
    );
    expect(seen).toEqual([
      "PATCH /api/v1/namespaces/5g-core/configmaps/amf?fieldManager=nephoran-agent&force=true",
    ]);
    expect(auth).toBe("Bearer t0ken");
    expect(type).toBe("application/apply-patch+yaml");
  });

  it("gives up on a request the server never answers, saying so", async () => {
    const api = await serve(() => undefined, 150);
    const t0 = performance.now();
    await expect(api.read({ apiVersion: "v1", kind: "Namespace", name: "x" }, "reading x")).rejects.toThrow(
      "reading x: no answer within 150 ms",
    );
    expect(performance.now() - t0).toBeLessThan(1500);
    // As the reconciler sees it: retried later, and the request named once.
    const seenByTarget = toTargetError(
      await api
        .read({ apiVersion: "v1", kind: "Namespace", name: "x" }, "reading x")
        .catch((e: unknown) => e),
      "reading x",
    );
    expect(seenByTarget.message).toBe("reading x: no answer within 150 ms");
    expect(seenByTarget.retry).toBe(true);
  });

  it("carries the status and the server's words on an error answer", async () => {
    const api = await serve((_, res) => json(res, 409, { kind: "Status", message: "the object changed" }));
    const e = await api
      .read({ apiVersion: "v1", kind: "Service", namespace: "a", name: "b" }, "reading b")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KubeApiError);
    expect((e as KubeApiError).status).toBe(409);
    expect((e as KubeApiError).message).toContain("the object changed");
  });

  it("finds a kind it does not know by asking the server once, and asks again after a failed answer", async () => {
    let fail = true;
    const api = await serve((req, res) => {
      if (req.url === "/apis/example.io/v1") {
        if (fail) return json(res, 503, { message: "starting" });
        return json(res, 200, {
          resources: [
            { name: "widgets", kind: "Widget", namespaced: true },
            { name: "widgets/status", kind: "Widget", namespaced: true },
          ],
        });
      }
      json(res, 200, {});
    });
    const ref = { apiVersion: "example.io/v1", kind: "Widget", namespace: "n", name: "w" };
    await expect(api.path(ref)).rejects.toThrow("HTTP 503");
    fail = false;
    expect(await api.path(ref)).toBe("/apis/example.io/v1/namespaces/n/widgets/w");
    expect(await api.path(ref, "status")).toBe("/apis/example.io/v1/namespaces/n/widgets/w/status");
    expect(seen.filter((s) => s === "GET /apis/example.io/v1")).toHaveLength(2);
  });

  it("reads a watch's events across chunk boundaries and ends with the stream, or when told to stop", async () => {
    const api = await serve((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const events = [
        { type: "ADDED", object: { metadata: { name: "a" } } },
        { type: "MODIFIED", object: { metadata: { name: "b" } } },
      ]
        .map((e) => JSON.stringify(e))
        .join("\n");
      res.write(events.slice(0, 17));
      setTimeout(() => res.write(`${events.slice(17)}\n`), 20);
      if (req.url?.includes("labelSelector=end")) setTimeout(() => res.end(), 60);
    });
    const got: string[] = [];
    const onEvent = (e: { type: string; object: { metadata: { name: string } } }) =>
      got.push(`${e.type} ${e.object.metadata.name}`);
    await api.watch("/api/v1/services", { labelSelector: "end" }, onEvent, new AbortController().signal);
    expect(got).toEqual(["ADDED a", "MODIFIED b"]);
    expect(seen[0]).toBe("GET /api/v1/services?labelSelector=end&watch=true");

    const stop = new AbortController();
    const watching = api.watch("/api/v1/services", {}, onEvent, stop.signal);
    await new Promise((r) => setTimeout(r, 80));
    stop.abort();
    await watching; // resolves once stopped, though the server never ends it
    expect(got).toHaveLength(4);

    // A watch that ends on its own leaves nothing listening on the caller's signal (watches restart for days).
    const kept = new AbortController();
    const added: unknown[] = [];
    const add = kept.signal.addEventListener.bind(kept.signal);
    const remove = kept.signal.removeEventListener.bind(kept.signal);
    kept.signal.addEventListener = ((type: string, fn: () => void, o?: { once?: boolean }) => {
      added.push(fn);
      add(type, fn, o);
    }) as typeof kept.signal.addEventListener;
    kept.signal.removeEventListener = ((type: string, fn: () => void) => {
      added.splice(added.indexOf(fn), 1);
      remove(type, fn);
    }) as typeof kept.signal.removeEventListener;
    await api.watch("/api/v1/services", { labelSelector: "end" }, onEvent, kept.signal);
    expect(added).toEqual([]);
  });
});
