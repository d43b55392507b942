/**
 * Sync benchmark on real brokers (nats-server with JetStream, mosquitto), hub and simulated sites in one
 * process over real connections; every site runs the agent's SyncClient and commits to a SQLite store
 * before it acknowledges (at 10,000 sites, 10 sites share a store file: the process may open 20,000 files;
 * the fleet's stores are on /dev/shm where there is one, as siteStoreDir says why).
 *
 * Per transport: fan-out of one fleet intent to N sites until the hub holds every acknowledgement, beside
 * the raw transport's limit measured in the same run (a bare request/reply of the same payload to N
 * subscribers), each the median of three rounds past one not counted, with the CPU this process and the broker
 * spent on it; a site back after 1,000 intent changes (messages received, time to converge); sustained
 * intent changes per second pushed and acknowledged; then the fan-out again with every site holding changes in
 * memory instead of committing them, to tell what the hub, the protocol and the transport take from what the
 * simulated fleet's commits take; messages and bytes per site per idle hour. And one site's own
 * work for a live change, alone (decode, commit to its store, acknowledge; no transport): a simulated fleet on
 * one process pays it once per site beyond the raw round trip.
 *
 * Usage: pnpm bench:sync [--sites 1000,10000] [--transports nats,mqtt]. Last line: one JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { connect as natsConnect, nkeyAuthenticator } from "@nats-io/transport-node";
import { connect as mqttConnect } from "mqtt";
import type { MqttClient } from "mqtt";
import type { AgentTransport, IntentPlan } from "@nephoran/shared";
import { createAgentTransport, encode, PROTOCOL_VERSION, systemClock } from "@nephoran/shared";
import type { SyncStore } from "@nephoran/agent";
import { AgentStore } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { changeIntent, createIntent } from "@nephoran/hub";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, MosquittoBroker, NatsBroker } from "../harness/brokers";
import type { DetachableStore, Site } from "../harness/sim-sites";
import {
  BENCH_LINK,
  enrollSites,
  inBatches,
  simulatedSite,
  siteStoreDir,
  startSites,
  tap,
  waitFor,
} from "../harness/sim-sites";
import { processStats } from "../harness/process";
import { startHub } from "../harness/sync";
import { median } from "../harness/stats";

const { values } = parseArgs({
  options: {
    sites: { type: "string", default: "1000,10000" },
    transports: { type: "string", default: "nats,mqtt" },
  },
});
const SIZES = (values.sites ?? "")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const TRANSPORTS = (values.transports ?? "").split(",").filter(Boolean) as ("nats" | "mqtt")[];
const log = (s: string) => process.stderr.write(`${s}\n`);

const PLAN: IntentPlan = {
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas: 2 }],
  priority: "medium",
  source: "rules",
  confidence: 0.99,
};

/**
 * Watches the hub's database from a second, read-only connection. The hub runs on this thread, so each poll
 * is time taken from it: the check stops at the first site behind (each hub here holds one fleet's sites
 * alone), and a large fleet is polled less often (`pollMs`).
 */
const watchers = new Map<Hub, { db: Database.Database; behind: Database.Statement }>();
function allAcked(hub: Hub): boolean {
  let w = watchers.get(hub);
  if (!w) {
    const db = new Database(join(hub.config.dataDir, "hub.db"), { readonly: true });
    const behind = db.prepare("SELECT 1 FROM sites WHERE reported_version < desired_version LIMIT 1");
    watchers.set(hub, (w = { db, behind }));
  }
  return w.behind.get() === undefined;
}

/** How often to poll a fleet of `n`: every 5 ms up to 2,500 sites, every 20 ms at 10,000 (a poll reads them all). */
const pollMs = (n: number) => Math.max(5, Math.round(n / 500));

/** Each figure is the median of this many rounds: one round on a busy two-core box can be off by half. */
const ROUNDS = 3;

/** The broker's process, whose CPU each round counts beside this one's (Linux: /proc). */
let brokerPid: number | undefined;
/** CPU ms the broker has spent, user and system (0 when it cannot be read). */
function brokerCpuMs(): number {
  try {
    return brokerPid === undefined ? 0 : Math.round(processStats(brokerPid).cpuSeconds * 1000) || 0;
  } catch {
    return 0;
  }
}

interface Timed {
  readonly ms: number;
  /** CPU ms this process (hub, sites or subscribers, and the requester) spent in the round. */
  readonly cpuMs: number;
  readonly brokerCpuMs: number;
}

/**
 * The median time and CPU of ROUNDS runs of `fn`, each after `before` (not timed), past one more run not
 * counted: the first run of a path compiles it (the raw baseline's as much as the product's).
 */
async function rounds(
  fn: (round: number) => Promise<void>,
  what: string,
  before?: () => Promise<void>,
): Promise<Timed> {
  const runs: Timed[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    await before?.();
    const t = performance.now();
    const cpu = process.cpuUsage();
    const broker = brokerCpuMs();
    await fn(r);
    const used = process.cpuUsage(cpu);
    runs.push({
      ms: performance.now() - t,
      cpuMs: (used.user + used.system) / 1000,
      brokerCpuMs: brokerCpuMs() - broker,
    });
  }
  const shown = (k: keyof Timed) => runs.map((x) => x[k].toFixed(0)).join(", ");
  log(
    `${what}: ${shown("ms")} ms; CPU ${shown("cpuMs")} ms here, ${shown("brokerCpuMs")} ms at the broker (the first not counted)`,
  );
  const counted = runs.slice(1);
  return {
    ms: median(counted.map((x) => x.ms)),
    cpuMs: median(counted.map((x) => x.cpuMs)),
    brokerCpuMs: median(counted.map((x) => x.brokerCpuMs)),
  };
}

/** Until every site's reports have been acknowledged by the hub, so a round starts quiet (each poll reads
 * every site's outbox: every 200 ms, not 5). */
const quiet = (sites: readonly Site[]) =>
  waitFor(
    () => sites.every((s) => (s.store?.outboxDepth() ?? 0) === 0),
    120_000,
    "the sites' reports acknowledged",
    200,
  );

/** The raw transport's limit: N subscribers each answering one request carrying the same payload. */
async function rawRequestReply(
  kind: "nats" | "mqtt",
  broker: Broker,
  n: number,
  payload: Buffer,
): Promise<Timed> {
  if (kind === "nats") {
    const seed = (broker as NatsBroker).hubKey.getSeed();
    const opts = { servers: broker.url, authenticator: nkeyAuthenticator(seed) };
    const subs = [] as Awaited<ReturnType<typeof natsConnect>>[];
    await inBatches([...Array(n).keys()], 100, async (i) => {
      const nc = await natsConnect(opts);
      nc.subscribe(`bench.raw.${i}`, { callback: (e, m) => void (e || m.respond(m.data)) });
      await nc.flush();
      subs.push(nc);
    });
    const req = await natsConnect(opts);
    const timed = await rounds(async () => {
      await Promise.all(
        [...Array(n).keys()].map((i) => req.request(`bench.raw.${i}`, payload, { timeout: 60_000 })),
      );
    }, `[${kind} ${n}] raw rounds`);
    await req.close();
    await inBatches(subs, 500, (nc) => nc.close());
    return timed;
  }
  const b = broker as MosquittoBroker;
  const opts = (id: string) => ({
    username: "nephoran-hub",
    password: b.hubPassword,
    protocolVersion: 5 as const,
    clientId: id,
    clean: true,
    reconnectPeriod: 0,
  });
  const subs: MqttClient[] = [];
  await inBatches([...Array(n).keys()], 250, async (i) => {
    const c = mqttConnect(b.url, opts(`raw-${i}`));
    await new Promise<void>(
      (resolve, reject) => (c.once("connect", () => resolve()), c.once("error", reject)),
    );
    await c.subscribeAsync(`nephoran/raw/${i}/req`, { qos: 1 });
    c.on("message", (_t, p) => c.publish(`nephoran/raw/${i}/rep`, p, { qos: 1 }));
    subs.push(c);
  });
  const req = mqttConnect(b.url, opts("raw-requester"));
  await new Promise<void>((resolve) => req.once("connect", () => resolve()));
  await req.subscribeAsync("nephoran/raw/+/rep", { qos: 1 });
  let got = 0;
  req.on("message", () => got++);
  const timed = await rounds(async () => {
    got = 0;
    for (let i = 0; i < n; i++) req.publish(`nephoran/raw/${i}/req`, payload, { qos: 1 });
    await waitFor(() => got >= n, 120_000, "raw replies");
  }, `[${kind} ${n}] raw rounds`);
  await req.endAsync();
  await inBatches(subs, 500, (c) => c.endAsync());
  return timed;
}

async function fanout(kind: "nats" | "mqtt", broker: Broker, n: number) {
  const dataDir = mkdtempSync(join(tmpdir(), `nephoran-bench-sync-${kind}-`));
  // Sites heartbeat every 30 s (the default); the hub expects as much.
  const hub = await startHub(broker.hubSync(), join(dataDir, "hub"), 30);
  const tag = `${kind[0]}${n}`;
  let storeDir: string | undefined;
  try {
    const sites = await enrollSites(hub, kind, broker.url, n, tag);
    // The broker reloads its user list (SIGHUP) in the background.
    await new Promise((r) => setTimeout(r, 1000 + n / 10));
    // The payload a site receives for a fleet intent, for the raw baseline.
    const payload = Buffer.from(
      JSON.stringify({
        v: 1,
        site: sites[0]?.name,
        type: "intent",
        version: 2,
        base: 1,
        intent: {
          id: "int-000000000000",
          name: "Deploy 2 AMF on the fleet",
          revision: 1,
          priority: "medium",
          plan: PLAN,
          createdAt: new Date().toISOString(),
        },
      }),
    );
    log(`[${kind} ${n}] raw request/reply…`);
    const raw = await rawRequestReply(kind, broker, n, payload);
    log(`[${kind} ${n}] raw ${raw.ms.toFixed(0)} ms; connecting ${n} sites…`);
    storeDir = siteStoreDir(`nephoran-bench-sync-${kind}-sites-`);
    const t0 = performance.now();
    await startSites(sites, storeDir, n > 2000, { detachable: true });
    await waitFor(() => allAcked(hub), 300_000, "initial snapshots acknowledged", pollMs(n));
    const connectS = (performance.now() - t0) / 1000;
    log(`[${kind} ${n}] connected and synced in ${connectS.toFixed(1)} s; fan-out…`);
    // Each round a new intent to every site, once the reports of the one before are in.
    let made = 0;
    const round = async () => {
      await createIntent(hub.deps, {
        name: `Deploy 2 AMF on the fleet (${++made})`,
        plan: PLAN,
        siteSelector: { matchLabels: { fleet: tag } },
        priority: "medium",
        createdBy: "bench",
      });
      await waitFor(() => allAcked(hub), 300_000, "fan-out acknowledged", pollMs(n));
    };
    const fanout = await rounds(round, `[${kind} ${n}] fan-out rounds`, () => quiet(sites));
    log(
      `[${kind} ${n}] fan-out acknowledged by all in ${fanout.ms.toFixed(0)} ms (raw ${raw.ms.toFixed(0)} ms)`,
    );
    const result: Record<string, number> = {
      [`fanout_${n}_ms`]: Math.round(fanout.ms),
      [`raw_request_reply_${n}_ms`]: Math.round(raw.ms),
      [`fanout_${n}_vs_raw`]: Math.round((fanout.ms / raw.ms) * 100) / 100,
      [`fanout_${n}_cpu_ms`]: Math.round(fanout.cpuMs),
      [`raw_request_reply_${n}_cpu_ms`]: Math.round(raw.cpuMs),
      [`fanout_${n}_broker_cpu_ms`]: Math.round(fanout.brokerCpuMs),
      [`raw_request_reply_${n}_broker_cpu_ms`]: Math.round(raw.brokerCpuMs),
    };
    if (n <= 2000) Object.assign(result, await outage(hub, sites), await sustained(hub, sites));
    // The same again with the sites holding each change in memory instead of committing it: what the hub, the
    // protocol and the transport take alone, beside the raw figure (last: the sites' stores fall behind).
    for (const s of sites) (s.store as DetachableStore).holdInMemory();
    const inMemory = await rounds(round, `[${kind} ${n}] fan-out rounds, the sites not committing`, () =>
      quiet(sites),
    );
    Object.assign(result, {
      [`fanout_${n}_no_site_commit_ms`]: Math.round(inMemory.ms),
      [`fanout_${n}_no_site_commit_vs_raw`]: Math.round((inMemory.ms / raw.ms) * 100) / 100,
    });
    await inBatches(sites, 500, async (s) => s.client?.stop());
    return result;
  } finally {
    watchers.get(hub)?.db.close();
    watchers.delete(hub);
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  }
}

/** One site away while 100 intents targeting it change 10 times each (1,000 changes). */
async function outage(hub: Hub, sites: Site[]) {
  const away = sites[0] as Site;
  await away.client?.stop();
  await waitFor(() => hub.sync?.isOnline(away.name) === false, 60_000, "the hub noticing the site is away");
  const sel = { names: [away.name] };
  for (let k = 0; k < 100; k++) {
    const i = await createIntent(hub.deps, {
      name: `outage ${k}`,
      plan: PLAN,
      siteSelector: sel,
      priority: "medium",
      createdBy: "bench",
    });
    for (let r = 1; r < 10; r++)
      await changeIntent(hub.deps, i.id, r, { priority: r % 2 ? "high" : "low" }, "bench");
  }
  const desired = (await hub.deps.store.sites.get(away.name))?.desiredVersion ?? 0;
  const kinds = new Map<string, number>();
  const transport = tap(await createAgentTransport(away.creds, BENCH_LINK), {
    down: (d) => {
      const m = JSON.parse(Buffer.from(d).toString()) as { type: string; base?: number };
      const k = `${m.type}${m.base === undefined ? "" : "+base"}`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    },
  });
  const store = away.store as SyncStore;
  const t = performance.now();
  const client = simulatedSite(store, transport, away.creds.credentialId);
  client.start();
  await waitFor(() => store.ackedVersion() >= desired, 60_000, "the site back converging");
  const convergeMs = performance.now() - t;
  const received = client.status().received;
  away.client = client;
  log(
    `[outage] 1,000 changes to 100 intents: ${received} messages (${JSON.stringify(Object.fromEntries(kinds))}), converged in ${convergeMs.toFixed(0)} ms`,
  );
  return {
    outage_changes: 1000,
    outage_messages_received: received,
    outage_converge_ms: Math.round(convergeMs),
  };
}

/** Intent changes, each to one site, pushed for 3 s as fast as the hub commits them; then until all are acknowledged. */
async function sustained(hub: Hub, sites: Site[]) {
  const t = performance.now();
  let n = 0;
  const live = sites.slice(1);
  while (performance.now() - t < 3000) {
    for (let k = 0; k < 50; k++, n++) {
      const s = live[n % live.length] as Site;
      await createIntent(hub.deps, {
        name: `push ${n}`,
        plan: PLAN,
        siteSelector: { names: [s.name] },
        priority: "medium",
        createdBy: "bench",
      });
    }
    await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => allAcked(hub), 120_000, "sustained changes acknowledged", pollMs(sites.length));
  const s = (performance.now() - t) / 1000;
  log(`[sustained] ${n} changes pushed and acknowledged in ${s.toFixed(2)} s`);
  return { sustained_changes_per_s: Math.round(n / s) };
}

/** One idle site for a while with a 1 s heartbeat, counted at the transport; scaled to the 30 s default. */
async function idle(kind: "nats" | "mqtt", broker: Broker) {
  const dataDir = mkdtempSync(join(tmpdir(), `nephoran-bench-idle-`));
  const hub = await startHub(broker.hubSync(), join(dataDir, "hub"));
  try {
    const [site] = (await enrollSites(hub, kind, broker.url, 1, `idle${kind}`)) as [Site];
    await new Promise((r) => setTimeout(r, 1000));
    const inner = await createAgentTransport(site.creds, BENCH_LINK);
    let msgs = 0;
    let bytes = 0;
    let heartbeats = 0;
    const count = (d: Uint8Array) => {
      msgs++;
      bytes += d.byteLength;
    };
    const transport = tap(inner, {
      up: (d) => {
        count(d);
        if ((JSON.parse(Buffer.from(d).toString()) as { type: string }).type === "heartbeat") heartbeats++;
      },
      down: count,
    });
    const store = AgentStore.open(join(dataDir, "site.db"), { site: site.name, clock: systemClock });
    const client = simulatedSite(store, transport, site.creds.credentialId, 1000);
    client.start();
    await waitFor(() => store.ackedVersion() > 0 && client.status().connected, 30_000, "idle site synced");
    await new Promise((r) => setTimeout(r, 1500));
    [msgs, bytes, heartbeats] = [0, 0, 0];
    await new Promise((r) => setTimeout(r, 10_000));
    // Everything either way, per heartbeat (a heartbeat in sync gets no answer).
    const perHeartbeat = { msgs: msgs / heartbeats, bytes: bytes / heartbeats };
    await client.stop();
    store.close();
    // At the default 30 s heartbeat: 120 heartbeats an hour, and the hub answers none while in sync.
    return {
      [`idle_msgs_per_site_hour_${kind}`]: Math.round(perHeartbeat.msgs * 120),
      [`idle_bytes_per_site_hour_${kind}`]: Math.round(perHeartbeat.bytes * 120),
    };
  } finally {
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One site's own work for a live change, alone: the agent's SyncClient decodes an intent message, commits it
 * to its store (SQLite, WAL) and acknowledges, on a link that only counts what is sent; then, as the agent's
 * reconcile pass does after a change, the store checkpoints when one is due. Each change is a new revision of
 * one of the 20 intents the site holds. Microseconds per change, past 1,000 not counted: until the
 * acknowledgement, and the checkpoints' share after it.
 */
async function siteWork(): Promise<{ site_change_us: number; site_checkpoint_us: number }> {
  const dir = mkdtempSync(join(tmpdir(), "nephoran-bench-site-"));
  const site = "s-alone";
  const store = AgentStore.open(join(dir, "site.db"), { site, clock: systemClock });
  let down: ((d: Uint8Array) => void) | undefined;
  let acks = 0;
  const link: AgentTransport = {
    describe: "counting link",
    start: (h) => ((down = h.onDown), h.onReady()),
    send: (d) => ((acks += Number(Buffer.from(d).includes('"type":"ack"'))), true),
    close: async () => {},
  };
  const client = simulatedSite(store, link, "0123456789abcdef");
  client.start();
  down?.(encode({ v: PROTOCOL_VERSION, site, type: "synced", version: 0, since: 0, full: true, count: 0 }));
  acks = 0;
  const N = 5000;
  const WARM = 1000;
  const messages = [...Array(WARM + N).keys()].map((k) =>
    encode({
      v: PROTOCOL_VERSION,
      site,
      type: "intent",
      version: k + 1,
      base: k,
      intent: {
        id: `int-${String(k % 20).padStart(12, "0")}`,
        name: `Deploy 2 AMF on the fleet (${k})`,
        revision: Math.floor(k / 20) + 1,
        priority: "medium",
        plan: PLAN,
        createdAt: new Date().toISOString(),
      },
    }),
  );
  for (const m of messages.slice(0, WARM)) {
    down?.(m);
    store.checkpoint();
  }
  let checkpoints = 0;
  const t = performance.now();
  for (const m of messages.slice(WARM)) {
    down?.(m);
    const c = performance.now();
    store.checkpoint();
    checkpoints += performance.now() - c;
  }
  const us = ((performance.now() - t - checkpoints) * 1000) / N;
  const checkpointUs = (checkpoints * 1000) / N;
  if (acks !== WARM + N || store.ackedVersion() !== WARM + N)
    throw new Error(
      `the site acknowledged ${acks} of ${WARM + N} changes (committed ${store.ackedVersion()})`,
    );
  await client.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  log(
    `[site] a live change alone (decode, commit, acknowledge): ${us.toFixed(1)} µs; then its share of checkpoints: ${checkpointUs.toFixed(1)} µs`,
  );
  return { site_change_us: Math.round(us * 10) / 10, site_checkpoint_us: Math.round(checkpointUs * 10) / 10 };
}

async function main(): Promise<void> {
  if (!brokersInstalled())
    throw new Error("nats-server and mosquitto are needed: bash scripts/test-env/brokers.sh install");
  const out: Record<string, number | string> = {
    machine_cpus: (await import("node:os")).cpus().length,
    ...(await siteWork()),
  };
  for (const kind of TRANSPORTS) {
    const broker: Broker = kind === "nats" ? new NatsBroker() : new MosquittoBroker();
    await broker.start();
    brokerPid = broker.proc?.pid;
    try {
      for (const n of SIZES) {
        const r = await fanout(kind, broker, n);
        for (const [k, v] of Object.entries(r)) out[`${kind}_${k}`] = v;
      }
      Object.assign(out, await idle(kind, broker));
    } finally {
      await broker.stop();
    }
  }
  console.log(JSON.stringify(out));
}

await main();
process.exit(0);
