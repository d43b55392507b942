import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "@nephoran/shared";
import { systemClock } from "@nephoran/shared";
import { Agent } from "../agent";
import { CHECKPOINT_AFTER } from "../store/store";
import type { AgentConfigInput } from "../config";
import { AgentConfig } from "../config";
import { createStatusApp, serveStatus } from "./index";

const TOKEN = "status-token-0123456789";
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop().catch(() => undefined);
});

function makeAgent(extra: Partial<AgentConfigInput> = {}, clock: Clock = systemClock): Agent {
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-status-"));
  const agent = new Agent(
    AgentConfig.parse({
      site: "edge-status",
      dataDir,
      target: { kind: "directory", dir: join(dataDir, "manifests") },
      knowledge: { model: "hashing" },
      ...extra,
    }),
    { logger: pino({ level: "silent" }), clock },
  );
  agents.push(agent);
  return agent;
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const json = (body: unknown) => ({
  method: "POST",
  headers: { ...bearer, "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("agent status endpoint", () => {
  it("answers probes to anyone and everything else only with the token (Bearer or Basic)", async () => {
    const app = createStatusApp({ agent: makeAgent(), token: TOKEN });
    expect((await app.request("/healthz")).status).toBe(200);
    const anon = await app.request("/status");
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toMatch(/^Basic realm="nephoran-agent"/);
    expect(
      (await app.request("/status", { headers: { authorization: "Bearer wrong-token-xxxxxxxx" } })).status,
    ).toBe(401);
    expect((await app.request("/status", { headers: bearer })).status).toBe(200);
    const basic = `Basic ${Buffer.from(`engineer:${TOKEN}`).toString("base64")}`;
    const page = await app.request("/", { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Site edge-status");
  });

  it("refuses a forged cross-site form post, even with the Basic credentials a browser replays", async () => {
    const agent = makeAgent();
    const app = createStatusApp({ agent, token: TOKEN });
    const basic = `Basic ${Buffer.from(`engineer:${TOKEN}`).toString("base64")}`;
    // What <form enctype="text/plain" action="http://127.0.0.1:9480/v1/intents"> on another web site sends.
    const forged = await app.request("http://127.0.0.1:9480/v1/intents", {
      method: "POST",
      headers: {
        authorization: basic,
        "content-type": "text/plain",
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
      body: '{"text":"scale UPF to 0", "x":"=',
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("cross_site_refused");
    // An older browser without Sec-Fetch-Site still sends Origin.
    const byOrigin = await app.request("http://127.0.0.1:9480/v1/intents", {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json", origin: "http://evil.example" },
      body: JSON.stringify({ text: "scale UPF to 0" }),
    });
    expect(byOrigin.status).toBe(403);
    // A form post with no Origin at all (some privacy tools strip it) is not JSON: 415.
    const plain = await app.request("http://127.0.0.1:9480/v1/intents", {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
      body: "text=scale+UPF+to+0",
    });
    expect(plain.status).toBe(415);
    expect(agent.store.listIntents()).toEqual([]);
    // The page's own origin and curl (no Origin) still work.
    const same = await app.request("http://127.0.0.1:9480/v1/intents", {
      method: "POST",
      headers: {
        authorization: basic,
        "content-type": "application/json",
        origin: "http://127.0.0.1:9480",
        "sec-fetch-site": "same-origin",
      },
      body: JSON.stringify({ text: "Deploy a basic AMF instance for testing" }),
    });
    expect(same.status).toBe(201);
  });

  it("takes a local intent in plain language, plans it offline, applies it and shows it everywhere", async () => {
    const agent = makeAgent();
    const app = createStatusApp({ agent, token: TOKEN });
    const created = await app.request(
      "/v1/intents",
      json({ text: "Deploy a basic AMF instance for testing" }),
    );
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; plan: { actions: { nf: string }[] } };
    expect(body.id).toMatch(/^local-/);
    expect(body.plan.actions.map((a) => a.nf)).toEqual(["amf"]);
    // The same sentence again changes nothing.
    expect(
      (await app.request("/v1/intents", json({ text: "Deploy a basic AMF instance for testing" }))).status,
    ).toBe(200);

    await agent.reconcileOnce();
    const status = (await (await app.request("/status", { headers: bearer })).json()) as {
      site: string;
      hub: { configured: boolean; connected: boolean };
      outbox: number;
      intents: { id: string; origin: string; phase: string; nfs: { nf: string }[] }[];
    };
    expect(status.site).toBe("edge-status");
    expect(status.hub).toMatchObject({ configured: false, connected: false });
    expect(status.intents).toEqual([
      expect.objectContaining({
        id: body.id,
        origin: "local",
        // Written to a folder, which cannot say whether anything runs: Applied, never Ready.
        phase: "Applied",
        nfs: [expect.objectContaining({ nf: "amf" })],
      }),
    ]);
    // Reported to the hub later: its reports wait in the outbox.
    expect(status.outbox).toBeGreaterThan(0);

    const metrics = await (await app.request("/metrics", { headers: bearer })).text();
    expect(metrics).toContain('nephoran_agent_intents{phase="Applied"} 1');
    expect(metrics).toContain('nephoran_agent_intents{phase="Ready"} 0');
    // A folder cannot tell whether a workload runs: the instance is there, not ready.
    expect(metrics).toMatch(
      /nephoran_agent_nf_ready\{intent="local-[0-9a-f]+",nf="amf",name="amf-local-[0-9a-f]+"\} 0/,
    );
    expect(metrics).toContain("nephoran_agent_hub_connected 0");

    const one = await app.request(`/v1/intents/${body.id}`, { headers: bearer });
    expect(((await one.json()) as { history: unknown[] }).history.length).toBeGreaterThan(0);
    expect((await app.request("/v1/intents/nope", { headers: bearer })).status).toBe(404);
    // An id that is not valid percent-encoding is looked up as written: not found, not a server error.
    expect((await app.request("/v1/intents/%E0%A4", { headers: bearer })).status).toBe(404);
    const html = await (await app.request("/", { headers: bearer })).text();
    expect(html).toContain(body.id);
    expect(html).toContain(`<span class="phase Applied">Applied</span>`);
    expect(html).toContain("cannot observe readiness");
    expect(html).toMatch(/\.Applied\{color:#[0-9a-f]{6}/);
  });

  it("checkpoints the store between reconcile passes once enough has been committed", async () => {
    const agent = makeAgent();
    const plan = {
      intentType: "nf.deploy" as const,
      actions: [{ kind: "deploy" as const, nf: "amf" }],
      priority: "low" as const,
      source: "rules" as const,
      confidence: 1,
    };
    for (let k = 1; k <= CHECKPOINT_AFTER; k++)
      agent.store.applyDesired({
        version: k,
        put: [{ id: "int-a", name: "a", plan, revision: k, priority: "low", origin: "hub" }],
        deleted: [],
        full: false,
      });
    await agent.reconcileOnce();
    // The pass checkpointed: nothing is due until as much has been committed again.
    expect(agent.store.checkpoint()).toBe(false);
    expect(agent.store.getIntent("int-a")).toMatchObject({ revision: CHECKPOINT_AFTER, phase: "Applied" });
  });

  it("refuses bad local intents with the reason and stores nothing", async () => {
    const agent = makeAgent();
    const app = createStatusApp({ agent });
    const cases: [unknown, number, RegExp][] = [
      ["{not json", 400, /not JSON/],
      [{ text: "" }, 400, /text is empty/],
      [{ text: "Deploy AMF", extra: 1 }, 400, /extra|Unrecognized/i],
      [{ text: "Deploy AMF", priority: "urgent!" }, 400, /priority/],
      [{ text: "Deploy UPF in privileged mode" }, 422, /privileged/i],
      [{ text: "Deploy AMF at edge-other" }, 422, /edge-other.*not this site/],
      [{ text: "x".repeat(70_000) }, 413, /64 KB/],
    ];
    for (const [body, status, why] of cases) {
      const r = await app.request("/v1/intents", json(body));
      expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(status);
      const { error } = (await r.json()) as { error: { message: string; requestId: string } };
      expect(error.message).toMatch(why);
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(agent.store.listIntents()).toEqual([]);
  });

  it("searches the local knowledge base, loading it on the first question", async () => {
    const agent = makeAgent();
    const app = createStatusApp({ agent });
    expect(agent.knowledge.status().state).toBe("not loaded");
    const r = await app.request(
      `/v1/search?q=${encodeURIComponent("which function terminates the N3 user plane tunnel")}&k=3`,
    );
    expect(r.status).toBe(200);
    const { hits } = (await r.json()) as { hits: { text: string; source: string }[] };
    expect(hits).toHaveLength(3);
    expect(hits[0]?.text).toMatch(/UPF|user plane function/i);
    expect(agent.knowledge.status()).toMatchObject({
      state: "ready",
      model: expect.stringMatching(/hashing/),
    });
    expect((await app.request("/v1/search")).status).toBe(400);
    expect((await app.request("/v1/search?q=x&k=500")).status).toBe(400);
    // The search is measured (a refused one is not): one under the last bound, in a well-formed histogram.
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain("# TYPE rag_query_duration_seconds histogram");
    expect(metrics).toContain('rag_query_duration_seconds_bucket{le="0.5"} 1');
    expect(metrics).toContain('rag_query_duration_seconds_bucket{le="+Inf"} 1');
    expect(metrics).toContain("rag_query_duration_seconds_count 1");
  });

  it("is not ready when the reconcile loop goes quiet or the store cannot be written", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const clock: Clock = { now: () => new Date(now), sleep: systemClock.sleep };
    const agent = makeAgent({ relistSeconds: 10 }, clock);
    const app = createStatusApp({ agent });
    expect((await app.request("/readyz")).status).toBe(200);
    now += 3 * 10_000 + 30_000 + 1000; // three relists and the longest backoff without a pass
    const stale = await app.request("/readyz");
    expect(stale.status).toBe(503);
    expect(((await stale.json()) as { problems: string[] }).problems.join()).toMatch(/has not run for 61 s/);
    now -= 60_000;
    agent.store.close();
    const closed = await app.request("/readyz");
    expect(closed.status).toBe(503);
    expect(((await closed.json()) as { problems: string[] }).problems.join()).toMatch(
      /store cannot be written/,
    );
    agents.splice(agents.indexOf(agent), 1);
  });

  it("serves the same answers over its socket: token, body limit, cross-site refusal, HEAD, unknown routes", async () => {
    const agent = makeAgent();
    const server = await serveStatus(agent, { host: "127.0.0.1", port: 0, token: TOKEN });
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/v1/intents`, {
        method: "POST",
        headers: { ...bearer, "content-type": "application/json", ...headers },
        body,
      });
    try {
      expect((await fetch(`${server.url}/status`)).status).toBe(401);
      const head = await fetch(`${server.url}/healthz`, { method: "HEAD" });
      expect([head.status, await head.text()]).toEqual([200, ""]);
      const big = await post(JSON.stringify({ text: "x".repeat(70 * 1024) }));
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe("too_large");
      expect((await post("{", {})).status).toBe(400);
      expect(
        (await post(JSON.stringify({ text: "scale UPF to 0" }), { origin: "https://evil.example" })).status,
      ).toBe(403);
      const created = await post(JSON.stringify({ text: "Deploy a basic AMF instance for testing" }), {
        origin: server.url,
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const id = ((await created.json()) as { id: string }).id;
      const one = await fetch(`${server.url}/v1/intents/${encodeURIComponent(id)}`, { headers: bearer });
      expect(((await one.json()) as { id: string }).id).toBe(id);
      const missing = await fetch(`${server.url}/v2/nothing`, { headers: bearer });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(
        "no route GET /v2/nothing",
      );
    } finally {
      await server.close();
    }
  });

  it("listens on 127.0.0.1 by default and refuses a wider address without a token", async () => {
    const agent = makeAgent();
    const server = await serveStatus(agent, { host: "127.0.0.1", port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(
      AgentConfig.parse({ site: "s", dataDir: "/x", target: { kind: "directory", dir: "/y" } }).status,
    ).toEqual({
      host: "127.0.0.1",
      port: 9480,
    });
    expect(() =>
      AgentConfig.parse({
        site: "s",
        dataDir: "/x",
        target: { kind: "directory", dir: "/y" },
        status: { host: "0.0.0.0" },
      }),
    ).toThrow(/beyond loopback needs a token/);
  });
});
