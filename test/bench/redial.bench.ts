/**
 * Redial benchmark: what a fleet whose broker goes away puts on it. N simulated sites (the agent's SyncClient
 * and transport, links as deployed: DEFAULT_LINK) reach a real broker (nats-server, mosquitto) through one TCP
 * proxy; the proxy is cut for --outage seconds (connections dropped, each new one accepted and closed at once:
 * a broker that is away), then restored. Measured: the dials per second the fleet makes in the first and last
 * ten seconds of the outage, dials per site per minute, and how long until every site is back online.
 * Beside it, in the same run, the same fleet pacing its dials as the agent did before (a fixed 500 ms).
 *
 * Usage: pnpm bench:redial [--sites 500] [--outage 60] [--transports nats,mqtt]. Last line: one JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { LinkTuning } from "@nephoran/shared";
import { DEFAULT_LINK } from "@nephoran/shared";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, MosquittoBroker, NatsBroker } from "../harness/brokers";
import { TcpProxy } from "../harness/proxy";
import type { Site } from "../harness/sim-sites";
import { enrollSites, inBatches, siteStoreDir, startSites, waitFor } from "../harness/sim-sites";
import { percentile } from "../harness/stats";
import { startHub } from "../harness/sync";

const { values } = parseArgs({
  options: {
    sites: { type: "string", default: "500" },
    outage: { type: "string", default: "60" },
    transports: { type: "string", default: "nats,mqtt" },
  },
});
const N = Number(values.sites);
const OUTAGE_S = Number(values.outage);
const TRANSPORTS = values.transports.split(",") as ("nats" | "mqtt")[];
if (!Number.isInteger(N) || N < 1) throw new Error(`--sites: a whole number of sites, not ${values.sites}`);
if (!(OUTAGE_S >= 20)) throw new Error(`--outage: at least 20 seconds, not ${values.outage}`);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The pacing before: every dial half a second after the last. */
const FIXED: LinkTuning = { ...DEFAULT_LINK, maxReconnectDelayMs: DEFAULT_LINK.reconnectDelayMs };

async function outage(kind: "nats" | "mqtt", broker: Broker, link: LinkTuning, tag: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `nephoran-bench-redial-${kind}-`));
  const hub = await startHub(broker.hubSync(), join(dataDir, "hub"), 30);
  const proxy = new TcpProxy("127.0.0.1", broker.port);
  await proxy.start();
  const storeDir = siteStoreDir(`nephoran-bench-redial-${kind}-sites-`);
  let sites: Site[] = [];
  try {
    const url = kind === "nats" ? `nats://127.0.0.1:${proxy.port}` : `mqtt://127.0.0.1:${proxy.port}`;
    sites = await enrollSites(hub, kind, url, N, tag);
    // The broker reloads its user list (SIGHUP) in the background.
    await new Promise((r) => setTimeout(r, 1000 + N / 10));
    await startSites(sites, storeDir, true, { link });
    const online = () => sites.filter((s) => s.client?.status().link === "online").length;
    await waitFor(() => online() === N, 120_000, "every site online", 50);

    proxy.cut();
    const perSecond: number[] = [];
    let seen = proxy.accepted;
    for (let s = 0; s < OUTAGE_S; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      perSecond.push(proxy.accepted - seen);
      seen = proxy.accepted;
    }
    const back = new Map<string, number>();
    const t0 = performance.now();
    proxy.restore();
    await waitFor(
      () => {
        for (const s of sites)
          if (!back.has(s.name) && s.client?.status().link === "online")
            back.set(s.name, performance.now() - t0);
        return back.size === N;
      },
      120_000,
      "every site back online",
      20,
    );
    const times = [...back.values()].sort((a, b) => a - b);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const r = {
      dials_per_s_first_10s: Math.round(sum(perSecond.slice(0, 10)) / 10),
      dials_per_s_last_10s: Math.round(sum(perSecond.slice(-10)) / 10),
      dials_per_site_per_min: Math.round((sum(perSecond) / N / (OUTAGE_S / 60)) * 10) / 10,
      back_p50_ms: Math.round(percentile(times, 50)),
      back_p99_ms: Math.round(percentile(times, 99)),
      back_all_ms: Math.round(times.at(-1) ?? 0),
    };
    log(`[${kind} ${tag}] ${JSON.stringify(r)}`);
    return r;
  } finally {
    await inBatches(sites, 500, async (s) => s.client?.stop());
    await proxy.stop();
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(storeDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!brokersInstalled())
    throw new Error("nats-server and mosquitto are needed: bash scripts/test-env/brokers.sh install");
  const out: Record<string, number> = { sites: N, outage_s: OUTAGE_S };
  for (const kind of TRANSPORTS) {
    const broker: Broker = kind === "nats" ? new NatsBroker() : new MosquittoBroker();
    await broker.start();
    try {
      log(`[${kind}] ${N} sites, broker away ${OUTAGE_S} s: paced dials…`);
      for (const [k, v] of Object.entries(await outage(kind, broker, DEFAULT_LINK, `p${kind[0]}`)))
        out[`${kind}_${k}`] = v;
      log(`[${kind}] the same at a fixed 500 ms…`);
      for (const [k, v] of Object.entries(await outage(kind, broker, FIXED, `f${kind[0]}`)))
        out[`${kind}_fixed_${k}`] = v;
    } finally {
      await broker.stop();
    }
  }
  console.log(JSON.stringify(out));
}

await main();
process.exit(0);
