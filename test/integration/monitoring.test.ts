/**
 * The monitoring kit in edge-images/monitoring against what the product really exports: the alerting rules
 * pass `promtool check rules`; the hub's and an agent's /metrics pass `promtool check metrics` (Prometheus's
 * own parser and linter); and every metric a rule or a dashboard panel asks for is one of theirs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import { createStatusApp } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { eventually } from "../harness/agent";
import { which } from "../harness/brokers";
import { ADMIN, api, enroll, reported, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

const KIT = resolve(import.meta.dirname, "../../edge-images/monitoring");
const promtool = which("promtool");
skippedFor(
  promtool ? undefined : "promtool is not installed (scripts/test-env/prometheus.sh install)",
  "the monitoring suite is",
);

/** The metric names a PromQL expression reads: not functions, keywords, labels, strings or durations. */
function metricsIn(expr: string): string[] {
  const KEYWORDS = new Set([
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
  ]);
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b\d+(ms|[smhdwy])\b/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  return [...bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*\b(?!\s*\()/g)]
    .map((m) => m[0])
    .filter((n) => !KEYWORDS.has(n) && !/^\d/.test(n) && !/^(e|inf|nan)$/i.test(n));
}

/** Metric names in an exposition, a histogram's series (_bucket, _sum, _count) included. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = "", type] = m;
    names.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
  }
  return names;
}

describe.skipIf(!promtool)("the monitoring kit", () => {
  let hub: Hub;
  let agent: Agent;
  let hubMetrics = "";
  let agentMetrics = "";

  beforeAll(async () => {
    hub = await startHub({ transport: "embedded", port: 0 });
    const { sync } = await enroll(hub, "mon-01");
    agent = syncedAgent("mon-01", sync);
    agent.start();
    const r = await api(hub, "POST", "/v1/intents", {
      text: "Deploy a basic AMF instance for testing",
      siteSelector: { names: ["mon-01"] },
    });
    const id = r.json["id"] as string;
    await eventually(
      async () => ((await reported(hub, id, "mon-01"))?.phase === "Applied" ? true : undefined),
      30_000,
    );
    hubMetrics = await (
      await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).text();
    agentMetrics = await (await createStatusApp({ agent }).request("/metrics")).text();
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await hub?.stop();
  });

  it("has alerting rules Prometheus accepts", () => {
    const out = execFileSync(promtool as string, ["check", "rules", join(KIT, "alerts.yaml")], {
      encoding: "utf8",
    });
    expect(out).toMatch(/SUCCESS: 8 rules found/);
  });

  it("exports metrics Prometheus's own parser and linter accept, on the hub and on an agent", () => {
    for (const [who, text] of [
      ["hub", hubMetrics],
      ["agent", agentMetrics],
    ] as const) {
      expect(text, who).toMatch(/^# TYPE /m);
      const r = spawnSync(promtool as string, ["check", "metrics"], { input: text, encoding: "utf8" });
      // One finding is by design: the gauge of active intents bears the name operators' dashboards know it by.
      const findings = `${r.stdout}${r.stderr}`
        .split("\n")
        .filter(Boolean)
        .filter(
          (l) => !l.startsWith('active_network_intents_total non-counter metrics should not have "_total"'),
        );
      expect(findings, who).toEqual([]);
    }
  });

  it("asks, in every rule and dashboard panel, only for metrics the product exports", () => {
    const have = new Set([...exported(hubMetrics), ...exported(agentMetrics)]);
    const asked: { where: string; expr: string }[] = [];
    const rules = readFileSync(join(KIT, "alerts.yaml"), "utf8");
    for (const m of rules.matchAll(/^\s+expr: (.+)$/gm))
      asked.push({ where: "alerts.yaml", expr: m[1] as string });
    const dir = join(KIT, "dashboards");
    const dashboards = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(dashboards.sort()).toEqual(["capacity.json", "operations.json", "sla.json"]);
    for (const f of dashboards) {
      const d = JSON.parse(readFileSync(join(dir, f), "utf8")) as {
        panels: { title: string; targets: { expr: string }[] }[];
      };
      expect(d.panels.length, f).toBeGreaterThan(3);
      for (const p of d.panels)
        for (const t of p.targets) asked.push({ where: `${f}: ${p.title}`, expr: t.expr });
    }
    expect(asked.length).toBeGreaterThan(20);
    const missing = asked.flatMap(({ where, expr }) =>
      metricsIn(expr)
        .filter((n) => !have.has(n))
        .map((n) => `${where}: ${n}`),
    );
    expect(missing).toEqual([]);
    // The check itself finds what it should.
    expect(
      metricsIn('sum by (le, route) (rate(http_request_duration_seconds_bucket{a="b"}[5m])) > 0.5'),
    ).toEqual(["http_request_duration_seconds_bucket"]);
    expect(metricsIn("count(up == 0) and absent_metric_x offset 5m")).toEqual(["up", "absent_metric_x"]);
  });
});
