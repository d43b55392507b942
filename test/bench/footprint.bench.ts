/**
 * The agent's footprint as an edge box runs it: the tree-shaken bundle (agent/bin/nephoran-agent), enrolled
 * with a hub, syncing over the embedded MQTT broker or NATS, on a real API server, holding one intent.
 * Idle RSS and CPU per idle hour without the embedding model; then one search loads the bundled model and
 * the RSS is read again. With --tracing the agent also exports traces over OTLP/HTTP to a receiver here.
 * Usage: pnpm bench:footprint [--idle SECONDS] [--transports embedded,nats] [--tracing].
 * Last line: one JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Hub } from "@nephoran/hub";
import { eventually } from "../harness/agent";
import { NatsBroker } from "../harness/brokers";
import { OtlpReceiver } from "../harness/otlp";
import { freePort } from "../harness/ports";
import { kubeBinaries, startKube } from "../harness/kube";
import { processStats, spawnEdgeAgent } from "../harness/process";
import { api, startHub } from "../harness/sync";
import { median } from "../harness/stats";

const { values } = parseArgs({
  options: {
    idle: { type: "string", default: "60" },
    transports: { type: "string", default: "embedded,nats" },
    tracing: { type: "boolean", default: false },
  },
});
const idleSeconds = Number(values.idle);
const transports = (values.transports as string).split(",");
if (!(await kubeBinaries()))
  throw new Error("the API server is not built: bash scripts/test-env/kube.sh build");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const edgeDir = fileURLToPath(new URL("../../agent/dist/edge", import.meta.url));
const bundleKb = readdirSync(edgeDir).reduce((n, f) => n + statSync(join(edgeDir, f)).size, 0) / 1024;

const kube = await startKube();
const receiver = values.tracing ? new OtlpReceiver() : undefined;
const otlp = await receiver?.start();
const results: Record<string, unknown>[] = [];
try {
  for (const transport of transports) {
    const broker = transport === "nats" ? await new NatsBroker().start() : undefined;
    const hub: Hub = await startHub(
      broker ? broker.hubSync() : { transport: "embedded", port: 0 },
      undefined,
      30,
    );
    const site = `fp-${transport}`;
    const dataDir = mkdtempSync(join(tmpdir(), "nephoran-footprint-"));
    const token = await api(hub, "POST", "/v1/enrollment-tokens", { site, labels: {} });
    const enrolled = spawnEdgeAgent([
      "enroll",
      "--hub",
      hub.url,
      "--token",
      String(token.json["token"]),
      "--data",
      dataDir,
    ]);
    if ((await enrolled.exited).code !== 0) throw new Error(`enroll failed:\n${enrolled.output()}`);
    const port = await freePort();
    const agent = spawnEdgeAgent(
      [
        "agent",
        "--data",
        dataDir,
        "--kubeconfig",
        kube.kubeconfig,
        "--status-listen",
        String(port),
        "--intent-namespace",
        `ni-${site}`,
        "--log-level",
        "warn",
      ],
      otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : {},
    );
    const pid = agent.proc.pid as number;
    const status = async () =>
      (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        hub: { connected: boolean };
        intents: { phase: string }[];
      };
    try {
      const created = await api(hub, "POST", "/v1/intents", {
        text: "Deploy a basic AMF instance for testing",
        siteSelector: { names: [site] },
      });
      if (created.status !== 201)
        throw new Error(`intent: ${created.status} ${JSON.stringify(created.json)}`);
      await eventually(
        async () => {
          const s = await status().catch(() => undefined);
          return s?.hub.connected && s.intents.some((i) => i.phase === "Applied" || i.phase === "Ready");
        },
        60_000,
        200,
      );
      // Let start-up settle: 10 quiet seconds (or 60 at most).
      for (let quiet = 0, last = processStats(pid).cpuSeconds, n = 0; quiet < 10 && n < 60; n++) {
        await sleep(1000);
        const now = processStats(pid).cpuSeconds;
        quiet = now - last <= 0.01 ? quiet + 1 : 0;
        last = now;
      }
      const c0 = processStats(pid).cpuSeconds;
      const t0 = performance.now();
      const rss: number[] = [];
      while (performance.now() - t0 < idleSeconds * 1000) {
        rss.push(processStats(pid).rssMb);
        await sleep(1000);
      }
      const cpuPerIdleHour = ((processStats(pid).cpuSeconds - c0) * 3_600_000) / (performance.now() - t0);
      const s0 = performance.now();
      const search = await fetch(
        `http://127.0.0.1:${port}/v1/search?q=${encodeURIComponent("which function terminates the N3 user plane tunnel")}`,
      );
      if (!search.ok) throw new Error(`search: ${search.status} ${await search.text()}`);
      const firstSearchMs = performance.now() - s0;
      await sleep(5000);
      const withModel: number[] = [];
      for (let i = 0; i < 10; i++) {
        withModel.push(processStats(pid).rssMb);
        await sleep(1000);
      }
      const r = {
        transport,
        tracing: Boolean(otlp),
        idle_window_s: idleSeconds,
        idle_rss_mb: round(median(rss)),
        idle_rss_max_mb: round(Math.max(...rss)),
        cpu_s_per_idle_hour: round(cpuPerIdleHour, 2),
        first_search_ms: Math.round(firstSearchMs),
        rss_with_model_mb: round(median(withModel)),
        rss_with_model_max_mb: round(Math.max(...withModel)),
      };
      process.stderr.write(`${JSON.stringify(r)}\n`);
      results.push(r);
    } finally {
      agent.proc.kill("SIGTERM");
      await agent.exited;
      await hub.stop();
      await broker?.stop();
    }
  }
} finally {
  await kube.stop();
  await receiver?.stop();
}
console.log(JSON.stringify({ bundle_kb: Math.round(bundleKb), results }));
