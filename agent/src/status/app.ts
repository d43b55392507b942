/**
 * The agent's local status endpoint: what a field engineer opens when a site misbehaves. JSON at /status,
 * an HTML view at /, Prometheus /metrics, probes, the site's intents (and a way to add one locally,
 * planned offline) and a search of the local knowledge base. Everything but the probes needs the token
 * when one is configured (Bearer, or Basic with the token as password, so a browser can ask for it).
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
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

const LocalIntentBody = z.strictObject({
  text: z.string().trim().min(1, "text is empty").max(2000),
  priority: Priority.optional(),
});

const SearchQuery = z.strictObject({
  q: z.string().trim().min(1, "q (the question) is required").max(1000),
  k: z.coerce.number().int().min(1).max(50).default(5),
  nf: z.string().min(1).max(64).optional(),
});

/** The one error shape: `{ error: { code, message, requestId } }`. */
const fail = (
  c: Context,
  status: 400 | 401 | 403 | 404 | 413 | 415 | 422 | 500 | 503,
  code: string,
  message: string,
) => c.json({ error: { code, message, requestId: randomUUID() } }, status);

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

export function createStatusApp(deps: StatusAppDeps): Hono {
  const { agent } = deps;
  const app = new Hono();
  const want = deps.token ? digest(deps.token) : undefined;

  // Probes answer anyone: the kubelet has no token.
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    const problems = readiness(agent);
    return problems.length ? c.json({ status: "not ready", problems }, 503) : c.json({ status: "ready" });
  });

  // A browser replays Basic credentials on a form post from any web site: whatever changes state must be
  // JSON from this origin (no cross-site request forgery).
  app.use("*", async (c, next) => {
    const refused = crossSiteRefusal({
      method: c.req.method,
      url: c.req.url,
      header: (n) => c.req.header(n),
    });
    if (!refused) return next();
    return refused.code === CrossSiteRefusal.NotJson
      ? fail(c, 415, "unsupported_media_type", refused.message)
      : fail(c, 403, "cross_site_refused", refused.message);
  });

  app.use("*", async (c, next) => {
    if (!want) return next();
    const got = presented(c.req.header("authorization"));
    if (got !== undefined && timingSafeEqual(digest(got), want)) return next();
    c.header("www-authenticate", 'Basic realm="nephoran-agent", charset="UTF-8"');
    return fail(c, 401, "unauthenticated", "send the status token: Authorization: Bearer <token>");
  });

  app.get("/", (c) => c.html(statusHtml(statusOf(agent))));
  app.get("/status", (c) => c.json(statusOf(agent)));
  app.get("/metrics", (c) => {
    const cpu = process.cpuUsage();
    return c.body(
      metricsText(statusOf(agent), (cpu.user + cpu.system) / 1e6, process.memoryUsage.rss()),
      200,
      {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
      },
    );
  });
  app.get("/v1/intents", (c) => c.json({ intents: intentsOf(agent) }));
  app.get("/v1/intents/:id", (c) => {
    const i = agent.store.getIntent(c.req.param("id"));
    if (!i) return fail(c, 404, "not_found", `no intent ${c.req.param("id")} at this site`);
    return c.json({ ...i, nfs: agent.store.nfStatus(i.id), history: agent.store.history(i.id) });
  });
  app.post(
    "/v1/intents",
    bodyLimit({ maxSize: 64 * 1024, onError: (c) => fail(c, 413, "too_large", "the body is over 64 KB") }),
    async (c) => {
      // Parsed once, with the hub's body rules: no __proto__ key, no lone surrogate.
      const { value, problem } = inspectJson(await c.req.text());
      if (problem) return fail(c, 400, "invalid_request", problem);
      if (value === undefined) return fail(c, 400, "invalid_json", "the body is not JSON");
      const body = LocalIntentBody.safeParse(value);
      if (!body.success) return fail(c, 400, "invalid_request", issues(body.error));
      try {
        const r = await agent.addLocalIntent(body.data.text, body.data.priority);
        return c.json(r, r.stored ? 201 : 200);
      } catch (e: unknown) {
        if (e instanceof PlanningError) return fail(c, 422, e.code, e.message);
        throw e;
      }
    },
  );
  app.get("/v1/search", async (c) => {
    const q = SearchQuery.safeParse(c.req.query());
    if (!q.success) return fail(c, 400, "invalid_request", issues(q.error));
    try {
      const hits = await agent.knowledge.search(q.data.q, {
        k: q.data.k,
        ...(q.data.nf ? { nf: q.data.nf } : {}),
      });
      return c.json({ question: q.data.q, hits });
    } catch (e: unknown) {
      if (e instanceof KnowledgeUnavailableError) return fail(c, 503, "knowledge_unavailable", e.message);
      throw e;
    }
  });
  app.notFound((c) => fail(c, 404, "not_found", `no route ${c.req.method} ${c.req.path}`));
  app.onError((e, c) => {
    agent.logger.error({ err: e.message, path: c.req.path }, "status endpoint error");
    return fail(c, 500, "internal", "internal error; see the agent's log");
  });
  return app;
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
