/**
 * One trace from an operator's API call to a site's report: the hub and the edge agent run as the product
 * runs them (their own processes, the embedded broker between them), both exporting over OTLP/HTTP to a
 * receiver on loopback because the standard OTEL_* variables say so. The spans must connect: every one but
 * the API call's has its parent in the trace, and hub and site both contribute. The logs of the whole run
 * must not hold any secret the run used.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../harness/agent";
import type { ReceivedSpan } from "../harness/otlp";
import { OtlpReceiver } from "../harness/otlp";
import { freePort } from "../harness/ports";
import type { Child } from "../harness/process";
import { spawnEdgeAgent, spawnProduct } from "../harness/process";

const ADMIN = "tracing-suite-admin-token-0123456789";
const SITE = "trace-01";
const EXPECTED = [
  "POST /v1/intents",
  "plan",
  "intent.commit",
  "sync.publish",
  "sync.receive",
  "apply",
  "reconcile",
  "report.send",
  "report.commit",
];

describe("traces from the API to a site's report (OTLP/HTTP)", () => {
  const receiver = new OtlpReceiver();
  let hub: Child;
  let agent: Child | undefined;
  let url = "";
  const secrets: string[] = [ADMIN];
  let otel: Record<string, string> = {};
  /** The API call's trace, once the first test found it. */
  let traceId = "";

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const endpoint = await receiver.start();
    otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: "200" };
    const port = await freePort();
    hub = spawnProduct(
      [
        "hub",
        "--port",
        String(port),
        "--broker-port",
        "0",
        "--data",
        mkdtempSync(join(tmpdir(), "nephoran-trace-hub-")),
      ],
      { NEPHORAN_ADMIN_TOKEN: ADMIN, ...otel },
    );
    await hub.waitFor("listening on", 30_000);
    url = `http://127.0.0.1:${port}`;
    const token = await call("POST", "/v1/enrollment-tokens", { site: SITE, labels: { region: "eu" } });
    expect(token.status).toBe(201);
    secrets.push(String(token.json["token"]));
    const data = mkdtempSync(join(tmpdir(), "nephoran-trace-agent-"));
    const enrolled = spawnEdgeAgent([
      "enroll",
      "--hub",
      url,
      "--token",
      String(token.json["token"]),
      "--data",
      data,
    ]);
    expect((await enrolled.exited).code, enrolled.output()).toBe(0);
    // What enrollment handed the site: its credential and broker password must not be logged either.
    const enrollment = JSON.parse(readFileSync(join(data, "enrollment.json"), "utf8")) as Record<
      string,
      unknown
    >;
    for (const v of JSON.stringify(enrollment).match(
      /"(credential|password|token|seed)"\s*:\s*"([^"]+)"/gi,
    ) ?? [])
      secrets.push(v.replace(/^.*:\s*"/, "").replace(/"$/, ""));
    agent = spawnEdgeAgent(
      [
        "agent",
        "--data",
        data,
        "--target",
        `directory:${join(data, "manifests")}`,
        "--status-listen",
        "off",
        "--heartbeat",
        "1",
        "--log-level",
        "debug",
      ],
      otel,
    );
    await eventually(async () => {
      const s = await call("GET", `/v1/sites/${SITE}`);
      return s.json["presence"] === "online";
    }, 30_000);
  }, 90_000);

  afterAll(async () => {
    for (const c of [agent, hub]) {
      c?.proc.kill("SIGTERM");
      await c?.exited;
    }
    await receiver.stop();
  });

  it("connects the API call, planning, the commit, the publish, the site's receive, apply, reconcile and report, and the report's commit", async () => {
    const created = await call("POST", "/v1/intents", { text: `Deploy 2 AMF at ${SITE}` });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = String(created.json["id"]);
    await eventually(async () => {
      const i = await call("GET", `/v1/intents/${id}`);
      return (i.json["rollup"] as { counts: Record<string, number> }).counts["Applied"] === 1;
    }, 30_000);

    let trace: ReceivedSpan[] = [];
    await eventually(async () => {
      const root = receiver.spans.find((s) => s.name === "POST /v1/intents");
      expect(root, "the API call's span").toBeDefined();
      trace = receiver.spans.filter((s) => s.traceId === root?.traceId);
      // Hub and site export apart, each in its own batches: wait for both.
      const names = new Set(trace.map((s) => s.name));
      return EXPECTED.every((n) => names.has(n));
    }, 20_000);
    traceId = trace[0]?.traceId ?? "";
    const named = (name: string) => trace.filter((s) => s.name === name);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const service = (name: string) => [...new Set(named(name).map((s) => s.service))];

    expect(service("POST /v1/intents")).toEqual(["nephoran-hub"]);
    expect(service("plan")).toEqual(["nephoran-hub"]);
    expect(service("intent.commit")).toEqual(["nephoran-hub"]);
    expect(service("sync.publish")).toEqual(["nephoran-hub"]);
    expect(service("sync.receive")).toEqual(["nephoran-agent"]);
    expect(service("reconcile")).toEqual(["nephoran-agent"]);
    expect(service("report.send")).toEqual(["nephoran-agent"]);
    expect(service("report.commit")).toEqual(["nephoran-hub"]);
    // Two AMF replicas are one Deployment; with its Service and config, each object applied is a span.
    expect(named("apply").length).toBeGreaterThanOrEqual(2);
    expect(service("apply")).toEqual(["nephoran-agent"]);

    // Connected: the API call is the root; every other span's parent is in the trace, and the chain from
    // the report back to the API call runs through the site.
    const roots = trace.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
    expect(roots.map((s) => s.name)).toEqual(["POST /v1/intents"]);
    const chain: string[] = [];
    for (let s: ReceivedSpan | undefined = named("report.commit")[0]; s; s = byId.get(s.parentSpanId ?? ""))
      chain.push(s.name);
    expect(chain).toEqual([
      "report.commit",
      "report.send",
      "reconcile",
      "sync.receive",
      "sync.publish",
      "POST /v1/intents",
    ]);
    expect(named("report.commit")[0]?.attributes["nephoran.site"]).toBe(SITE);
    expect(named("sync.receive")[0]?.attributes["nephoran.intent"]).toBe(id);
    // Requests are named by their route, not by the ids in their paths.
    expect(receiver.spans.some((s) => s.name === "GET /v1/intents/:id")).toBe(true);
    expect(receiver.spans.filter((s) => s.name.includes(id))).toEqual([]);
    expect(receiver.refused).toBe(0);
  }, 90_000);

  it("writes JSON log lines with the trace, the site and the intent, and no secret the run used", async () => {
    const lines = [hub, agent as Child].flatMap((c) =>
      c
        .output()
        .split("\n")
        .filter((l) => l.startsWith("{")),
    );
    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const agentLines = parsed.filter((l) => l["site"] === SITE);
    expect(agentLines.length, "the agent's lines name the site").toBeGreaterThan(0);
    // What the site logged while it took the change in carries the change's trace.
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(agentLines.filter((l) => l["traceId"] === traceId).length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(2);
    for (const secret of secrets)
      for (const l of lines) expect(l.includes(secret), `a log line holds a secret: ${l}`).toBe(false);
  });

  it("loads no tracing code in the edge bundle unless configured", () => {
    const edge = fileURLToPath(new URL("../../agent/dist/edge", import.meta.url));
    const main = readFileSync(join(edge, "nephoran-agent.js"), "utf8");
    // OpenTelemetry's API registers itself under this global key; it lives in a chunk loaded on demand.
    expect(main.includes("opentelemetry.js.api")).toBe(false);
    const chunks = readdirSync(edge).filter((f) => f.endsWith(".js"));
    expect(chunks.some((f) => readFileSync(join(edge, f), "utf8").includes("opentelemetry.js.api"))).toBe(
      true,
    );
  });
});
