/**
 * Staged rollout benchmark on nats-server (JetStream) or, with --transport mqtt, mosquitto: a hub and N
 * simulated sites in one process over real connections; each site runs the agent's SyncClient, commits
 * what it is given, and reports each revision Ready (or Failed, where the benchmark says so).
 *
 * At --sites (10,000): the time for one change to reach every site all at once and be reported Ready, then
 * the same kind of change staged (a canary of 1 %, waves of 25 %, 25 %, 25 % and the rest, bake 0) until the
 * rollout is Completed. At --rollback-sites (1,000): a change whose canary (10 %) fails at one site; the time
 * from that failure report until every site the change touched reports the rolled-back revision.
 *
 * Usage: pnpm bench:rollout [--sites 10000] [--rollback-sites 1000] [--transport nats|mqtt]. Last line: one
 * JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import type { Intent, IntentPlan, RolloutStrategy } from "@nephoran/shared";
import type { Hub } from "@nephoran/hub";
import { changeIntent, createIntent } from "@nephoran/hub";
import { MosquittoBroker, NatsBroker, brokersInstalled } from "../harness/brokers";
import type { Answer } from "../harness/sim-sites";
import { enrollSites, inBatches, siteStoreDir, startSites, waitFor } from "../harness/sim-sites";
import { startHub } from "../harness/sync";

const { values } = parseArgs({
  options: {
    sites: { type: "string", default: "10000" },
    "rollback-sites": { type: "string", default: "1000" },
    transport: { type: "string", default: "nats" },
  },
});
if (values.transport !== "nats" && values.transport !== "mqtt")
  throw new Error(`--transport: nats or mqtt, not ${values.transport}`);
const transport: "nats" | "mqtt" = values.transport;
const log = (s: string) => process.stderr.write(`${s}\n`);
if (!brokersInstalled())
  throw new Error("nats-server and mosquitto are needed: bash scripts/test-env/brokers.sh install");

const plan = (replicas: number): IntentPlan => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas }],
  priority: "medium",
  source: "rules",
  confidence: 0.99,
});

/** Reads the hub's database from a second, read-only connection: polling costs the hub nothing. */
function watcher(dataDir: string) {
  const db = new Database(join(dataDir, "hub", "hub.db"), { readonly: true, fileMustExist: true });
  const ready = db.prepare(
    "SELECT count(*) AS n FROM site_desired WHERE intent_id = ? AND deleted = 0 AND report_revision >= ? AND report_phase = 'Ready'",
  );
  const state = db.prepare("SELECT state FROM rollouts WHERE intent_id = ? AND revision = ?");
  return {
    ready: (id: string, revision: number) => (ready.get(id, revision) as { n: number }).n,
    state: (id: string, revision: number) =>
      (state.get(id, revision) as { state: string } | undefined)?.state,
    close: () => db.close(),
  };
}

/** Failures the sites are told to report: intent id and revision → the sites that fail it. */
const failing = new Map<string, Set<string>>();
let failedAt = 0;
const answer: Answer = (site, intentId, revision) => {
  if (failing.get(`${intentId}@${revision}`)?.has(site)) {
    failedAt ||= performance.now();
    return "Failed";
  }
  return "Ready";
};

async function fleet(
  n: number,
  tag: string,
  fn: (hub: Hub, w: ReturnType<typeof watcher>, intent: Intent) => Promise<Record<string, number>>,
) {
  const broker = await (transport === "nats" ? new NatsBroker() : new MosquittoBroker()).start();
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-bench-rollout-"));
  const hub = await startHub(broker.hubSync(), join(dataDir, "hub"), 30);
  const w = watcher(dataDir);
  let storeDir: string | undefined;
  try {
    const sites = await enrollSites(hub, transport, broker.url, n, tag);
    await new Promise((r) => setTimeout(r, 1000 + n / 10)); // the broker reloads its user list
    log(`[${n}] connecting ${n} sites…`);
    // Ten sites to a store file (the sites that report as the benchmark says).
    storeDir = siteStoreDir("nephoran-bench-rollout-sites-");
    await startSites(sites, storeDir, true, { answer });
    // One intent on the fleet, Ready everywhere at revision 1, before anything is measured.
    const intent = await createIntent(hub.deps, {
      name: "amf",
      plan: plan(1),
      siteSelector: { matchLabels: { fleet: tag } },
      priority: "medium",
      createdBy: "bench",
    });
    await waitFor(() => w.ready(intent.id, 1) >= n, 600_000, "the first revision Ready everywhere");
    const out = await fn(hub, w, intent);
    await inBatches(sites, 500, async (s) => s.client?.stop());
    return out;
  } finally {
    w.close();
    await hub.stop();
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (storeDir) rmSync(storeDir, { recursive: true, force: true });
  }
}

const staged: RolloutStrategy = { canary: "1%", waves: ["25%", "25%", "25%"], bakeSeconds: 0 };

const big = await fleet(Number(values.sites), "r", async (hub, w, i) => {
  const n = Number(values.sites);
  log(`[${n}] all at once…`);
  let t = performance.now();
  await changeIntent(hub.deps, i.id, 1, { plan: plan(2) }, "bench");
  await waitFor(() => w.ready(i.id, 2) >= n, 600_000, "revision 2 Ready everywhere");
  const allAtOnceMs = performance.now() - t;
  log(`[${n}] all at once: ${allAtOnceMs.toFixed(0)} ms; staged…`);
  t = performance.now();
  await changeIntent(hub.deps, i.id, 2, { plan: plan(3), rollout: staged }, "bench");
  await waitFor(
    () => w.state(i.id, 3) === "Completed" && w.ready(i.id, 3) >= n,
    900_000,
    "the staged rollout Completed",
  );
  const stagedMs = performance.now() - t;
  log(`[${n}] staged: ${stagedMs.toFixed(0)} ms`);
  return {
    sites: n,
    allAtOnceMs: Math.round(allAtOnceMs),
    stagedMs: Math.round(stagedMs),
    stagedOverAllAtOnce: Math.round((stagedMs / allAtOnceMs) * 100) / 100,
  };
});

const small = await fleet(Number(values["rollback-sites"]), "b", async (hub, w, i) => {
  const n = Number(values["rollback-sites"]);
  // Revision 2 fails at one site of the canary (the canary is the first 10 % by name).
  const canary = Math.ceil(n / 10);
  failing.set(`${i.id}@2`, new Set(["sb-0"]));
  const t = performance.now();
  await changeIntent(
    hub.deps,
    i.id,
    1,
    { plan: plan(2), rollout: { canary: "10%", waves: ["50%"] } },
    "bench",
  );
  // Rolled back as revision 3 (revision 1's spec), at every site at once.
  await waitFor(() => w.state(i.id, 2) === "RolledBack", 120_000, "the rollback");
  await waitFor(() => w.ready(i.id, 3) >= n, 300_000, "revision 3 Ready everywhere");
  const done = performance.now();
  return {
    sites: n,
    canarySites: canary,
    failureToRolledBackMs: Math.round(done - failedAt),
    changeToRolledBackMs: Math.round(done - t),
  };
});

console.log(
  JSON.stringify({
    bench: "rollout",
    transport,
    staged,
    atScale: big,
    rollback: small,
    node: process.version,
  }),
);
