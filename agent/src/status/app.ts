/**
 * The agent's local status endpoint: what a field engineer opens when a site misbehaves. JSON at /status,
 * an HTML view at /, Prometheus /metrics, probes, the site's intents (and a way to add one locally,
 * planned offline) and a search of the local knowledge base. Everything but the probes needs the token
 * when one is configured (Bearer, or Basic with the token as password, so a browser can ask for it).
 *
 * Plain request in, plain reply out, served on node:http (`server.ts`): no web framework, and nothing that
 * loads Node's fetch implementation (Request/Response/Headers cost an idle agent some 13 MB).
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import * as z from "zod";
import { crossSiteRefusal, CrossSiteRefusal, inspectJson, PlanningError, Priority } from "@nephoran/shared";
import type { Agent } from "../agent";
import { KnowledgeUnavailableError } from "../knowledge";
import { statusHtml } from "./html";
import { metricsText } from "./metrics";
import { intentsOf, statusOf } from "./report";

export interface StatusAppDeps {
  readonly agent: Agent;
  readonly token?: string | undefined;
}

/** A request as the status app reads it. */
export interface StatusRequest {
  readonly method: string;
  readonly url: URL;
  header(name: string): string | undefined;
  /** The body as text, or undefined when it is over `limit` bytes. */
  text(limit: number): Promise<string | undefined>;
}

export interface StatusReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface StatusApp {
  handle(req: StatusRequest): Promise<StatusReply>;
  /** The reply to a request made in this process, as a client gets it (tests and tools; no socket). */
  request(
    input: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<Response>;
}

const LocalIntentBody = z.strictObject({
  text: z.string().trim().min(1, "text is empty").max(2000),
  priority: Priority.optional(),
});

const SearchQuery = z.strictObject({
  q: z.string().trim().min(1, "q (the question) is required").max(1000),
  k: z.coerce.number().int().min(1).max(50).default(5),
  nf: z.string().min(1).max(64).optional(),
});

const BODY_LIMIT = 64 * 1024;

const json = (value: unknown, status = 200, headers: Record<string, string> = {}): StatusReply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value),
});

/** The one error shape: `{ error: { code, message, requestId } }`. */
const fail = (
  status: 400 | 401 | 403 | 404 | 413 | 415 | 422 | 500 | 503,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) => json({ error: { code, message, requestId: randomUUID() } }, status, headers);

/** A path segment decoded; one that is not valid percent-encoding is taken as written. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The token from `Authorization: Bearer T` or `Basic base64(user:T)`. */
function presented(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export function createStatusApp(deps: StatusAppDeps): StatusApp {
  const { agent } = deps;
  const want = deps.token ? digest(deps.token) : undefined;

  async function route(req: StatusRequest): Promise<StatusReply> {
    const method = req.method === "HEAD" ? "GET" : req.method;
    const path = req.url.pathname;
    // Probes answer anyone: the kubelet has no token.
    if (method === "GET" && path === "/healthz") return json({ status: "ok" });
    if (method === "GET" && path === "/readyz") {
      const problems = readiness(agent);
      return problems.length ? json({ status: "not ready", problems }, 503) : json({ status: "ready" });
    }

    // A browser replays Basic credentials on a form post from any web site: whatever changes state must be
    // JSON from this origin (no cross-site request forgery).
    const refused = crossSiteRefusal({ method: req.method, url: req.url.href, header: (n) => req.header(n) });
    if (refused)
      return refused.code === CrossSiteRefusal.NotJson
        ? fail(415, "unsupported_media_type", refused.message)
        : fail(403, "cross_site_refused", refused.message);

    if (want) {
      const got = presented(req.header("authorization"));
      if (got === undefined || !timingSafeEqual(digest(got), want))
        return fail(401, "unauthenticated", "send the status token: Authorization: Bearer <token>", {
          "www-authenticate": 'Basic realm="nephoran-agent", charset="UTF-8"',
        });
    }

    if (method === "GET" && path === "/")
      return {
        status: 200,
        headers: { "content-type": "text/html; charset=UTF-8" },
        body: statusHtml(statusOf(agent)),
      };
    if (method === "GET" && path === "/status") return json(statusOf(agent));
    if (method === "GET" && path === "/metrics") {
      const cpu = process.cpuUsage();
      return {
        status: 200,
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        body: metricsText(statusOf(agent), (cpu.user + cpu.system) / 1e6, process.memoryUsage.rss()),
      };
    }
    if (method === "GET" && path === "/v1/intents") return json({ intents: intentsOf(agent) });
    const one = /^\/v1\/intents\/([^/]+)$/.exec(path);
    if (method === "GET" && one) {
      const id = decoded(one[1] as string);
      const i = agent.store.getIntent(id);
      if (!i) return fail(404, "not_found", `no intent ${id} at this site`);
      return json({ ...i, nfs: agent.store.nfStatus(i.id), history: agent.store.history(i.id) });
    }
    if (method === "POST" && path === "/v1/intents") {
      const text = await req.text(BODY_LIMIT);
      if (text === undefined) return fail(413, "too_large", `the body is over ${BODY_LIMIT / 1024} KB`);
      // Parsed once, with the hub's body rules: no __proto__ key, no lone surrogate.
      const { value, problem } = inspectJson(text);
      if (problem) return fail(400, "invalid_request", problem);
      if (value === undefined) return fail(400, "invalid_json", "the body is not JSON");
      const body = LocalIntentBody.safeParse(value);
      if (!body.success) return fail(400, "invalid_request", issues(body.error));
      try {
        const r = await agent.addLocalIntent(body.data.text, body.data.priority);
        return json(r, r.stored ? 201 : 200);
      } catch (e: unknown) {
        if (e instanceof PlanningError) return fail(422, e.code, e.message);
        throw e;
      }
    }
    if (method === "GET" && path === "/v1/search") {
      const q = SearchQuery.safeParse(Object.fromEntries(req.url.searchParams));
      if (!q.success) return fail(400, "invalid_request", issues(q.error));
      try {
        const hits = await agent.knowledge.search(q.data.q, {
          k: q.data.k,
          ...(q.data.nf ? { nf: q.data.nf } : {}),
        });
        return json({ question: q.data.q, hits });
      } catch (e: unknown) {
        if (e instanceof KnowledgeUnavailableError) return fail(503, "knowledge_unavailable", e.message);
        throw e;
      }
    }
    return fail(404, "not_found", `no route ${req.method} ${path}`);
  }

  async function handle(req: StatusRequest): Promise<StatusReply> {
    try {
      return await route(req);
    } catch (e: unknown) {
      agent.logger.error(
        { err: e instanceof Error ? e.message : String(e), path: req.url.pathname },
        "status endpoint error",
      );
      return fail(500, "internal", "internal error; see the agent's log");
    }
  }

  return {
    handle,
    async request(input, init = {}) {
      const headers = Object.fromEntries(
        Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      );
      const body = init.body;
      if (body !== undefined) headers["content-length"] ??= String(Buffer.byteLength(body));
      const r = await handle({
        method: (init.method ?? "GET").toUpperCase(),
        url: new URL(input, "http://127.0.0.1"),
        header: (n) => headers[n.toLowerCase()],
        text: async (limit) => (body === undefined ? "" : Buffer.byteLength(body) > limit ? undefined : body),
      });
      return new Response(r.body, { status: r.status, headers: r.headers });
    },
  };
}

const issues = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");

/** Why the agent is not ready: its reconcile loop has gone quiet, or its store cannot be written. */
export function readiness(agent: Agent): string[] {
  const problems: string[] = [];
  const loop = agent.loop.status();
  const opts = agent.loop.options;
  const now = agent.clock.now().getTime();
  const last = Date.parse(loop.lastAttemptAt ?? agent.startedAt.toISOString());
  const allowed = 3 * opts.relistMs + opts.backoffMaxMs;
  if (loop.state === "stopped") problems.push("the reconcile loop has stopped");
  else if (now - last > allowed)
    problems.push(`the reconcile loop has not run for ${Math.round((now - last) / 1000)} s`);
  // The hub link being down is normal at the edge (the site runs on its store); sync that could not start
  // at all is a configuration an operator must fix.
  if (agent.syncError) problems.push(`sync could not start: ${agent.syncError}`);
  try {
    agent.store.setMeta("status.probe", new Date(now).toISOString());
  } catch (e: unknown) {
    problems.push(`the store cannot be written: ${(e as Error).message}`);
  }
  return problems;
}
