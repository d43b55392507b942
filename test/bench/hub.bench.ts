/**
 * Hub API benchmark over HTTP on 127.0.0.1, per store: intents created per second (past 2 s of warm-up); p99 of
 * GET /v1/intents/{id} (with rollup) and GET /v1/sites with 1,000 sites × 100 intents stored, then 10,000
 * sites × 100 intents, on a hub past its first 300 reads (their p99 is reported apart, as "just started").
 * PostgreSQL is a real server the harness starts with fsync on, as deployed.
 * With --tracing, the creation rate is measured again with the hub exporting traces over OTLP/HTTP to a
 * receiver here (as it would to a collector), and both rates are printed.
 * Last line: one JSON object.
 * Usage: pnpm bench:hub [--store sqlite,postgres] [--seconds 5] [--tracing] [--create-only (no rollup fleets)]
 */
import "../harness/bench-tmp";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import type { SiteIntentReport } from "@nephoran/shared";
import { createHub, HubConfig, hashToken } from "@nephoran/hub";
import { OtlpReceiver } from "../harness/otlp";
import { freePort } from "../harness/ports";
import { Postgres } from "../harness/postgres";
import { spawnProduct } from "../harness/process";
import { percentile } from "../harness/stats";

const { values: args } = parseArgs({
  options: {
    store: { type: "string", default: "sqlite,postgres" },
    seconds: { type: "string", default: "5" },
    tracing: { type: "boolean", default: false },
    "create-only": { type: "boolean", default: false },
  },
});
const createSeconds = Number(args.seconds);
const WARM_UP_SECONDS = 2;
const engines = (args.store ?? "").split(",").filter(Boolean);
for (const e of engines)
  if (e !== "sqlite" && e !== "postgres") throw new Error(`--store: sqlite or postgres, not ${e}`);
let pg: Postgres | undefined;

/** Where a hub under measure keeps its state: a new SQLite file (in its data folder) or a new database. */
async function storeFor(engine: string): Promise<{ store?: string; storePasswordFile?: string }> {
  if (engine === "sqlite") return {};
  pg ??= await Postgres.start({ durable: true });
  return { store: await pg.createDatabase(), storePasswordFile: pg.passwordFile };
}
const TOKEN = "bench-admin-token-0123456789abcdef";
const PHASES = ["Ready", "Ready", "Ready", "Applied", "Applying", "Failed"] as const;

const pct = (xs: number[], p: number): number => Math.round(percentile(xs, p) * 100) / 100;

/** `n` GETs of `path(i)` one after another on one kept-alive connection, each timed to its last byte. */
async function timed(url: string, n: number, path: (i: number) => string): Promise<number[]> {
  // node:http, as for the creation rate: the client must cost less than the server it measures.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          `${url}${path(i)}`,
          { agent, headers: { authorization: `Bearer ${TOKEN}` } },
          (res) => {
            res.resume();
            res.once("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.once("error", reject);
        req.end();
      });
      if (status !== 200) throw new Error(`GET ${path(i)}: HTTP ${status}`);
      out.push(performance.now() - t);
    }
  } finally {
    agent.destroy();
  }
  return out;
}

/** The hub CLI in its own process on a store (and data folder), with `config` as its config file. */
async function spawnHub(
  where: { store?: string; storePasswordFile?: string },
  dataDir: string,
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const configFile = join(dataDir, "bench-config.json");
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawnProduct(
    [
      "hub",
      "--port",
      String(port),
      "--broker-port",
      "0",
      "--data",
      dataDir,
      "--config",
      configFile,
      "--log-level",
      "warn",
      ...(where.store
        ? ["--store", where.store, "--store-password-file", where.storePasswordFile as string]
        : []),
    ],
    { NEPHORAN_ADMIN_TOKEN: TOKEN, ...env },
  );
  await child.waitFor("nephoran hub: listening", 60_000);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.proc.kill("SIGTERM");
      await child.exited;
    },
  };
}

async function scenario(engine: string, sites: number, intents: number) {
  const where = await storeFor(engine);
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-hub-bench-"));
  const hub = await createHub(
    HubConfig.parse({
      ...where,
      dataDir,
      adminToken: TOKEN,
      port: 0,
      presenceTimeoutSeconds: 3600,
      sync: { transport: "embedded", port: 0 },
    }),
    {
      logger: pino({ level: "silent" }),
    },
  );
  const seedUrl = await hub.start();
  const store = hub.deps.store;
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const seed0 = performance.now();
  const now = new Date().toISOString();
  // Sites written straight into the store, in one transaction (enrolling 10,000 over HTTP is not measured).
  await store.transaction(async (tx) => {
    for (let s = 0; s < sites; s++) {
      const id = `edge-${String(s).padStart(5, "0")}`;
      await tx.enrollment.issue({
        id: `enr-${s}`,
        hash: hashToken(`t${s}`),
        site: id,
        labels: { region: s % 2 ? "eu" : "us", fleet: "bench" },
        expiresAt: "2999-01-01T00:00:00Z",
        createdBy: "bench",
      });
      await tx.enrollment.enroll(hashToken(`t${s}`), now, hashToken(`c${s}`), "0.1.0");
    }
  });
  // Intents through the API (all sites), then one report per site and intent.
  const ids: string[] = [];
  for (let i = 0; i < intents; i++) {
    const r = await fetch(`${seedUrl}/v1/intents`, {
      method: "POST",
      headers,
      body: JSON.stringify({ text: `Deploy ${1 + (i % 3)} AMF at all sites`, name: `i${i}` }),
    });
    ids.push(((await r.json()) as { id: string }).id);
  }
  let seq = 0;
  for (const intentId of ids) {
    const batch: SiteIntentReport[] = [];
    for (let s = 0; s < sites; s++) {
      const phase = PHASES[(s + seq) % PHASES.length] as SiteIntentReport["phase"];
      batch.push({
        siteId: `edge-${String(s).padStart(5, "0")}`,
        intentId,
        revision: 1,
        phase,
        conditions: [
          {
            type: "Ready",
            status: phase === "Ready" ? "True" : "False",
            message: phase,
            lastTransitionTime: now,
          },
        ],
        nfStatus: [],
        observedAt: now,
        reportSeq: ++seq,
      });
    }
    await store.reports.put(batch);
  }
  // Every site has acknowledged what it holds, as a fleet in its steady state has (else the leader's sweep
  // would keep sending snapshots to 10,000 sites that never answer, and the figures would measure that).
  const siteIds = Array.from({ length: sites }, (_, s) => `edge-${String(s).padStart(5, "0")}`);
  const version = (await store.sites.get(siteIds[0] as string))?.desiredVersion ?? 0;
  await store.reports.record({ seen: [], acks: siteIds.map((site) => ({ site, version })), reports: [] });
  const last = await store.sites.get(siteIds.at(-1) as string);
  if (last?.reportedVersion !== last?.desiredVersion)
    throw new Error(`the seeded sites are not in sync: ${JSON.stringify(last)}`);
  // The tables as autovacuum leaves them a minute after a bulk load (statistics, visibility map), and the
  // load's writes checkpointed: the figures are of a hub in its steady state, not of the load's aftermath.
  if (where.store && pg) {
    const db = new URL(where.store).pathname.slice(1);
    await pg.run(db, "VACUUM ANALYZE");
    await pg.run(db, "CHECKPOINT");
  }
  const seedSeconds = (performance.now() - seed0) / 1000;
  console.error(`seeded ${sites} sites in ${seedSeconds.toFixed(1)} s`);
  await hub.stop();
  // Reads are measured against a hub in its own process on the seeded store, as deployed (not beside the
  // seeding's heap). Sites were seen at enrolment: they stay online for the run.
  const served = await spawnHub(where, dataDir, { presenceTimeoutSeconds: 3600 });
  const url = served.url;
  const intent = (i: number) => `/v1/intents/${ids[i % ids.length] as string}`;
  // A hub just started compiles its code and prepares its statements on each pooled connection as they come:
  // its first reads (300) are that warm-up, reported apart; the figures are of the 300 reads after.
  const justStarted = await timed(url, 300, intent);
  const getIntent = await timed(url, 300, intent);
  const listSites = await timed(url, 300, (i) => `/v1/sites?limit=50${i % 2 ? "&label=region=eu" : ""}`);
  const getSite = await timed(url, 100, (i) => `/v1/sites/edge-${String((i * 7) % sites).padStart(5, "0")}`);
  await served.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    sites,
    intents,
    reports: sites * intents,
    seedSeconds: Math.round(seedSeconds * 10) / 10,
    getIntentWithRollupP50Ms: pct(getIntent, 50),
    getIntentWithRollupP99Ms: pct(getIntent, 99),
    getIntentWithRollupJustStartedP99Ms: pct(justStarted, 99),
    listSitesP50Ms: pct(listSites, 50),
    listSitesP99Ms: pct(listSites, 99),
    getSiteP99Ms: pct(getSite, 99),
  };
}

/**
 * Creation rate against a hub in its own process (as deployed), from 16 concurrent clients here; with
 * `otlp`, the hub exports a trace of every request there.
 */
async function createRate(engine: string, otlp?: string) {
  const where = await storeFor(engine);
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-hub-bench-"));
  const hub = await spawnHub(where, dataDir, {}, otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : {});
  const url = hub.url;
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const texts = [
    "Deploy 2 AMF and 3 SMF at edge01",
    "scale UPF to 3 replicas at edge-berlin-01",
    "Create a URLLC slice with 1 ms latency on edge01 and edge02",
    "Deploy a UPF with 4 cores at all sites in region eu",
  ];
  let created = 0;
  // node:http with keep-alive: the client must cost less than the server it measures (fetch costs more).
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${url}/v1/intents`,
        { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  const worker = async (w: number, end: number) => {
    for (let i = 0; performance.now() < end; i++) {
      // The hub under measure has no sites: they are "coming later" (else the intents are refused as unknown).
      const status = await post(
        JSON.stringify({ text: texts[(w + i) % texts.length], allowUnknownSites: true }),
      );
      if (status !== 201) throw new Error(`HTTP ${status}`);
      created++;
    }
  };
  const round = (seconds: number) => {
    const end = performance.now() + seconds * 1000;
    return Promise.all(Array.from({ length: 16 }, (_, w) => worker(w, end)));
  };
  // A hub just started compiles its request path and prepares its statements as they come: two seconds of
  // that first, not counted (the reads are measured past their warm-up too).
  await round(WARM_UP_SECONDS);
  created = 0;
  const t0 = performance.now();
  await round(createSeconds);
  const rate = created / ((performance.now() - t0) / 1000);
  agent.destroy();
  await hub.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { created, intentsCreatedPerSecond: Math.round(rate) };
}

const results: Record<string, unknown> = {};
for (const engine of engines) {
  console.error(`[${engine}] create rate…`);
  const create = await createRate(engine);
  console.error(`[${engine}] create rate done`, create);
  let traced: Record<string, number> = {};
  if (args.tracing) {
    const receiver = new OtlpReceiver();
    const t = await createRate(engine, await receiver.start());
    await new Promise((r) => setTimeout(r, 1000)); // the last batch of spans
    traced = {
      intentsCreatedPerSecondTraced: t.intentsCreatedPerSecond,
      spansReceived: receiver.spans.length,
    };
    await receiver.stop();
    console.error(`[${engine}] create rate with traces exported`, traced);
  }
  if (args["create-only"]) {
    results[engine] = { ...create, ...traced, concurrency: 16 };
    continue;
  }
  const small = await scenario(engine, 1000, 100);
  console.log(`[${engine}] 1,000 sites: ${JSON.stringify(small)}`);
  const large = await scenario(engine, 10_000, 100);
  console.log(`[${engine}] 10,000 sites: ${JSON.stringify(large)}`);
  results[engine] = { ...create, ...traced, concurrency: 16, at1000Sites: small, at10000Sites: large };
}
// The fleets written here are gigabytes: nothing is left behind.
if (pg) {
  await pg.stop();
  rmSync(pg.dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ bench: "hub", ...results, node: process.version }));
