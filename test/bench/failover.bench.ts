/**
 * Failover benchmark: two hub replicas (processes) on PostgreSQL and a three-server NATS cluster, N simulated
 * sites (the agent's SyncClient, committing before it acknowledges). Measures the fan-out of one intent to
 * every site; then a second intent is committed through replica A, A is killed (SIGKILL) at once, and a
 * change to the first is made through replica B: the time from the kill until every site has acknowledged
 * the latest desired version, and how many sites hold the wrong intents afterwards (lost).
 *
 * Sites heartbeat every --heartbeat seconds (5): a site that missed a message with the dead replica learns it
 * on its next heartbeat, so failover is bounded by it. Usage: pnpm bench:failover [--sites 1000] [--heartbeat 5]
 * Last line: one JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createUser } from "@nats-io/nkeys";
import { credentialIdOf } from "@nephoran/shared";
import { HubConfig, brokerAccess, hashToken, newToken, openPostgresStore } from "@nephoran/hub";
import { NatsCluster } from "../harness/nats-cluster";
import { Postgres } from "../harness/postgres";
import type { Replica } from "../harness/replicas";
import { callReplica, startReplica } from "../harness/replicas";
import type { SharedFileStore, Site } from "../harness/sim-sites";
import { siteStoreDir, startSites } from "../harness/sim-sites";

const { values } = parseArgs({
  options: { sites: { type: "string", default: "1000" }, heartbeat: { type: "string", default: "5" } },
});
const N = Number(values.sites);
const HEARTBEAT_S = Number(values.heartbeat);
const ADMIN = "failover-bench-admin-token-0123456789";
const log = (s: string) => process.stderr.write(`${s}\n`);
const dec = new TextDecoder();

const pgs = await Postgres.start({ durable: true });
const storeUrl = await pgs.createDatabase();
const dir = mkdtempSync(join(tmpdir(), "nephoran-bench-failover-"));
const cluster = await NatsCluster.start(dir);
const configFile = join(dir, "hub.json");
const hubConfig = { sync: cluster.hubSync(), heartbeatSeconds: HEARTBEAT_S };
writeFileSync(configFile, JSON.stringify(hubConfig));

const replica = () =>
  startReplica(storeUrl, { admin: ADMIN, password: pgs.password }, [
    "--config",
    configFile,
    "--log-level",
    "warn",
  ]);

/** A call that must succeed; its answer. */
async function call(
  r: Replica,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await callReplica(r, ADMIN, method, path, body, headers);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const [a, b] = await Promise.all([replica(), replica()]);
if (!a || !b) throw new Error("replicas did not start");
// However the benchmark ends, its replicas end with it.
process.once("exit", () => {
  for (const r of [a, b]) r.child.proc.kill("SIGKILL");
});

// Sites written straight into the store (enrolling 1,000 over HTTP is not what is measured), then one
// rewrite of the cluster's user list.
const store = await openPostgresStore(storeUrl, () => new Date(), { password: pgs.password });
const sites: Site[] = [];
await store.transaction(async (tx) => {
  for (let i = 0; i < N; i++) {
    const name = `fo-${i}`;
    const token = newToken("enrollment");
    await tx.enrollment.issue({
      id: `enr-${name}`,
      hash: hashToken(token),
      site: name,
      labels: { fleet: "failover" },
      expiresAt: "2999-01-01T00:00:00Z",
      createdBy: "bench",
    });
    const credential = newToken("site");
    await tx.enrollment.enroll(hashToken(token), new Date().toISOString(), hashToken(credential), "bench");
    const kp = createUser();
    await tx.sites.setBrokerSecrets(name, { natsNkey: kp.getPublicKey(), mqttHash: "" });
    sites.push({
      name,
      creds: {
        transport: "nats",
        url: cluster.urls,
        site: name,
        credentialId: credentialIdOf(credential),
        nkeySeed: dec.decode(kp.getSeed()),
      },
    });
  }
});
await brokerAccess(HubConfig.parse({ dataDir: dir, ...hubConfig }).sync, store, () => undefined).sync();
await store.close();

// Watches the database from the side: how many sites have not acknowledged their latest desired version.
const u = new URL(storeUrl);
u.password = pgs.password;
const watch = new pg.Client({ connectionString: u.toString() });
await watch.connect();
const behind = async (): Promise<number> =>
  Number(
    (await watch.query("SELECT count(*) AS n FROM sites WHERE reported_version < desired_version")).rows[0].n,
  );
async function allInSync(ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while ((await behind()) > 0) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (${await behind()} sites behind)`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const t0 = performance.now();
const storeDir = siteStoreDir("nephoran-bench-failover-sites-");
process.once("exit", () => rmSync(storeDir, { recursive: true, force: true }));
await startSites(sites, storeDir, true, { heartbeatMs: HEARTBEAT_S * 1000 });
await allInSync(300_000, "first snapshots acknowledged");
log(`${N} sites connected and in sync in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const fleet = { matchLabels: { fleet: "failover" } };
let t = performance.now();
const first = await call(a, "POST", "/v1/intents", { text: "Deploy 2 AMF", siteSelector: fleet });
await allInSync(120_000, "fan-out acknowledged");
const fanoutMs = performance.now() - t;
log(`fan-out to ${N} sites acknowledged in ${fanoutMs.toFixed(0)} ms`);

// A fan-out committed on A, which dies at once; the next change goes through B.
const second = await call(a, "POST", "/v1/intents", { text: "Deploy 1 SMF", siteSelector: fleet });
a.child.proc.kill("SIGKILL");
t = performance.now();
await call(b, "PATCH", `/v1/intents/${first["id"] as string}`, { priority: "high" }, { "if-match": '"1"' });
await allInSync(120_000, "every site back in sync after the kill");
const failoverMs = performance.now() - t;
log(`every site in sync ${failoverMs.toFixed(0)} ms after the kill`);

// Lost: a site that does not hold exactly the two intents at their latest revisions.
const want = new Map([
  [first["id"] as string, 2],
  [second["id"] as string, 1],
]);
const lost = sites.filter((s) => {
  const held = (s.store as SharedFileStore).hubIntents();
  return held.length !== want.size || held.some((h) => want.get(h.id) !== h.revision);
}).length;

await Promise.all(sites.flatMap((s) => (s.client ? [s.client.stop()] : [])));
await watch.end();
b.child.proc.kill("SIGTERM");
await b.child.exited;
await cluster.stop();
await pgs.stop();
console.log(
  JSON.stringify({
    bench: "failover",
    sites: N,
    replicas: 2,
    natsServers: 3,
    heartbeatSeconds: HEARTBEAT_S,
    fanoutMs: Math.round(fanoutMs),
    failoverMs: Math.round(failoverMs),
    lost,
    node: process.version,
  }),
);
