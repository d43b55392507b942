/**
 * Intent assurance at scale and end to end, on a real Prometheus scraping a KPI exporter the bench drives.
 *  1. One edge agent as a site runs it (the bundle, agent/bin/nephoran-agent), folder target, its site's
 *     Prometheus, interval 5 s: idle (no intents) RSS, then 1,000 intents × 3 expectations (UPF latency,
 *     throughput, sessions) — the CPU and time of each evaluation pass (median over several) and the RSS.
 *  2. A site synced with a hub (interval 5 s, hysteresis 2): time from a latency breach in the exporter to
 *     NotFulfilled at the hub, and from a throughput shortfall to the closed loop's scale-out applied.
 * Usage: pnpm bench:assurance [--intents 1000] [--passes 6] [--part all|scale|e2e]. Last line: one JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AgentStore } from "@nephoran/agent";
import type { IntentPlan } from "@nephoran/shared";
import { systemClock } from "@nephoran/shared";
import { eventually } from "../harness/agent";
import { freePort } from "../harness/ports";
import { processStats, spawnEdgeAgent } from "../harness/process";
import { KpiExporter, Prometheus } from "../harness/prometheus";
import { api, enroll, startHub, syncedAgent } from "../harness/sync";
import { median } from "../harness/stats";

const { values } = parseArgs({
  options: {
    intents: { type: "string", default: "1000" },
    passes: { type: "string", default: "6" },
    part: { type: "string", default: "all" },
  },
});
const N = Number(values.intents);
const PASSES = Number(values.passes);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const log = (s: string) => process.stderr.write(`${s}\n`);

const exporter = new KpiExporter();
await exporter.start();
const prometheus = await Prometheus.start([`127.0.0.1:${exporter.port}`]);

const plan = (i: number): IntentPlan => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
  expectations: [
    { target: "latency_ms", condition: "IS_LESS_THAN", value: 10 },
    { target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 100 + (i % 7) },
    { target: "users", condition: "IS_GREATER_THAN", value: 10 },
  ],
  priority: "low",
  source: "rules",
  confidence: 1,
});

/** Part 1: one agent process, idle and then with N intents × 3 expectations. */
async function atScale(): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-assurance-bench-"));
  const port = await freePort();
  const spawn = () =>
    spawnEdgeAgent([
      "agent",
      "--site",
      "as-bench",
      "--data",
      dataDir,
      "--target",
      `directory:${join(dataDir, "manifests")}`,
      "--metrics",
      prometheus.url,
      "--assurance-interval",
      "5",
      "--metrics-window",
      "30s",
      "--relist",
      "3600",
      "--status-listen",
      String(port),
      "--log-level",
      "warn",
    ]);
  type Status = {
    intents: { id: string; phase: string; nfs: { name: string }[] }[];
    assurance: { recent: { expectations: number; cpuMs: number; durationMs: number; queries: number }[] };
  };
  const status = async () => (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as Status;
  const quietRss = async (pid: number) => {
    await sleep(10_000);
    const rss: number[] = [];
    for (let i = 0; i < 10; i++) {
      rss.push(processStats(pid).rssMb);
      await sleep(1000);
    }
    return median(rss);
  };

  // Idle: the same agent with no intents.
  let agent = spawn();
  await eventually(() => status().catch(() => undefined), 30_000);
  const idleRss = await quietRss(agent.proc.pid as number);
  agent.proc.kill("SIGTERM");
  await agent.exited;
  log(`idle RSS ${idleRss} MB`);

  // N intents in its store (as if the hub had sent them), then the agent again.
  const store = AgentStore.open(join(dataDir, "agent.db"), { site: "as-bench", clock: systemClock });
  for (let i = 0; i < N; i++)
    store.upsertIntent({
      id: `local-${String(i).padStart(6, "0")}`,
      name: `upf ${i}`,
      plan: plan(i),
      revision: 1,
      priority: "low",
      origin: "local",
    });
  store.close();
  agent = spawn();
  const pid = agent.proc.pid as number;
  try {
    const s = await eventually(
      async () => {
        const x = await status().catch(() => undefined);
        return x && x.intents.length === N && x.intents.every((i) => i.nfs.length) ? x : undefined;
      },
      120_000,
      500,
    );
    // Every UPF's KPIs, fulfilled: 3 ms p99, 400 Mbit/s, 50 sessions.
    for (const i of s.intents)
      for (const nf of i.nfs) {
        const pod = { pod: `${nf.name}-0` };
        exporter.latency("nephoran_upf_packet_latency_seconds", pod, 0.003, 10);
        exporter.rate("nephoran_upf_bytes_total", pod, 50e6);
        exporter.gauge("nephoran_upf_sessions", pod, 50);
      }
    log(`${N} intents applied; the exporter serves ${N} pods`);
    await sleep(35_000); // a full rate window of samples
    // The passes, read once they are done: asking for /status meanwhile would cost the agent CPU too.
    await sleep((PASSES + 1) * 5_000 + 1_000);
    const passes = (await status()).assurance.recent.filter((p) => p.expectations === N * 3).slice(-PASSES);
    for (const a of passes)
      log(
        `pass: ${a.expectations} expectations, ${a.queries} queries, ${a.cpuMs} ms CPU, ${a.durationMs} ms`,
      );
    const fulfilled = (await status()).intents.length;
    const rss = await quietRss(pid);
    return {
      intents: N,
      expectations: N * 3,
      eval_cpu_ms_p50: median(passes.map((p) => p.cpuMs)),
      eval_cpu_ms_mean: round(passes.reduce((a, p) => a + p.cpuMs, 0) / passes.length),
      eval_cpu_ms_max: Math.max(...passes.map((p) => p.cpuMs)),
      eval_ms_p50: median(passes.map((p) => p.durationMs)),
      idle_rss_mb: round(idleRss),
      rss_mb: round(rss),
      intents_reporting: fulfilled,
    };
  } finally {
    agent.proc.kill("SIGTERM");
    await agent.exited;
  }
}

/** Part 2: breach → NotFulfilled at the hub, and shortfall → the closed loop's step applied. */
async function endToEnd(): Promise<Record<string, number>> {
  const hub = await startHub({ transport: "embedded", port: 0 });
  const { sync } = await enroll(hub, "as-e2e");
  const agent = syncedAgent(
    "as-e2e",
    sync,
    undefined,
    {},
    {
      relistSeconds: 1,
      assurance: {
        metrics: prometheus.url,
        intervalSeconds: 5,
        hysteresis: 2,
        window: "10s",
        cooldownSeconds: 0,
        scaleBackSeconds: 3600,
      },
    },
  );
  agent.start();
  try {
    const make = async (p: object) => {
      const r = await api(hub, "POST", "/v1/intents", { plan: p, siteSelector: { names: ["as-e2e"] } });
      if (r.status !== 201) throw new Error(JSON.stringify(r.json));
      const id = r.json["id"] as string;
      const name = await eventually(() => agent.store.nfStatus(id).find((s) => s.nf === "upf")?.name, 30_000);
      return { id, pod: `${name}-0` };
    };
    const watched = await make({
      intentType: "nf.deploy",
      actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
      expectations: [{ target: "latency_ms", condition: "IS_LESS_THAN", value: 10 }],
    });
    const remedied = await make({
      intentType: "nf.deploy",
      actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
      expectations: [{ target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 300 }],
      assurance: { remediate: true },
    });
    exporter.latency("nephoran_upf_packet_latency_seconds", { pod: watched.pod }, 0.003);
    exporter.rate("nephoran_upf_bytes_total", { pod: remedied.pod }, 50e6);
    const fulfilled = (id: string) => agent.store.expectations(id)[0]?.status.state === "Fulfilled";
    await eventually(() => (fulfilled(watched.id) && fulfilled(remedied.id) ? true : undefined), 90_000, 200);
    const hubSays = async (id: string) =>
      (
        (await api(hub, "GET", `/v1/intents/${id}`)).json["rollup"] as {
          fulfilment: { counts: Record<string, number> };
        }
      ).fulfilment.counts;

    const breach = performance.now();
    exporter.latency("nephoran_upf_packet_latency_seconds", { pod: watched.pod }, 0.05);
    await eventually(
      async () => ((await hubSays(watched.id))["NotFulfilled"] === 1 ? true : undefined),
      90_000,
      100,
    );
    const breachToHubMs = performance.now() - breach;

    const short = performance.now();
    exporter.rate("nephoran_upf_bytes_total", { pod: remedied.pod }, 25e6); // 200 Mbit/s
    await eventually(
      () =>
        agent.store.nfStatus(remedied.id).find((s) => s.nf === "upf")?.desiredReplicas === 2
          ? true
          : undefined,
      120_000,
      100,
    );
    const shortToRemediedMs = performance.now() - short;
    return {
      interval_s: 5,
      hysteresis: 2,
      window_s: 10,
      breach_to_hub_not_fulfilled_ms: Math.round(breachToHubMs),
      shortfall_to_scaled_out_ms: Math.round(shortToRemediedMs),
    };
  } finally {
    await agent.stop();
    await hub.stop();
  }
}

try {
  const scale = values.part === "e2e" ? {} : await atScale();
  log(JSON.stringify(scale));
  const e2e = values.part === "scale" ? {} : await endToEnd();
  log(JSON.stringify(e2e));
  console.log(JSON.stringify({ bench: "assurance", scale, endToEnd: e2e, node: process.version }));
} finally {
  await prometheus.stop();
  await exporter.stop();
}
