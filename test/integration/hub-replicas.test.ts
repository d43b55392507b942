/**
 * Two hub replicas, as processes, on one PostgreSQL and a three-server NATS cluster, with real agents: control messages
 * and reports reach one replica each (a NATS queue group, one durable JetStream consumer), and when a replica
 * is killed (SIGKILL) right after committing a fan-out, the survivor brings every site in sync — each site
 * holds the intent once — and a change made through the survivor reaches all of them. A staged rollout is
 * driven by the leading replica; SIGKILLed mid-rollout, the replica that leads next completes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Agent } from "@nephoran/agent";
import type { SiteSyncCredentials } from "@nephoran/shared";
import { eventually } from "../harness/agent";
import { which } from "../harness/brokers";
import { NatsCluster } from "../harness/nats-cluster";
import { Postgres, postgresMissing } from "../harness/postgres";
import type { Child } from "../harness/process";
import type { Replica } from "../harness/replicas";
import { callReplica, startReplica } from "../harness/replicas";
import { syncedAgent } from "../harness/sync";
import { openPostgresStore } from "@nephoran/hub";
import { skippedFor } from "../harness/skip";

const ADMIN = "replica-suite-admin-token-0123456789";
const SITES = 24;
const missing = postgresMissing() ?? (which("nats-server") ? undefined : "nats-server is not installed");
skippedFor(missing, "the hub replica suite is");

const call = (r: Replica, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  callReplica(r, ADMIN, method, path, body, headers);

describe.skipIf(missing !== undefined)("hub replicas on PostgreSQL and a NATS cluster", () => {
  let pg: Postgres;
  let nats: NatsCluster;
  let storeUrl: string;
  let configFile: string;
  const children: Child[] = [];
  const agents: Agent[] = [];

  async function replica(): Promise<Replica> {
    const r = await startReplica(storeUrl, { admin: ADMIN, password: pg.password }, ["--config", configFile]);
    children.push(r.child);
    return r;
  }

  beforeAll(async () => {
    pg = await Postgres.start();
    storeUrl = await pg.createDatabase();
    nats = await NatsCluster.start(mkdtempSync(join(tmpdir(), "nephoran-replica-nats-")));
    configFile = join(mkdtempSync(join(tmpdir(), "nephoran-replica-config-")), "hub.json");
    writeFileSync(configFile, JSON.stringify({ sync: nats.hubSync(), heartbeatSeconds: 60 }));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    for (const c of children) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGTERM");
      await c.exited;
    }
    await nats?.stop();
    await pg?.stop();
  });

  it("brings every site in sync after a replica dies mid fan-out; the survivor carries the next change; what was never sent is swept", async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    if (!a || !b) throw new Error("replicas did not start");
    // Sites enroll through either replica; each runs a real agent.
    for (let i = 0; i < SITES; i++) {
      const site = `edge${String(i).padStart(2, "0")}`;
      const via = i % 2 ? a : b;
      const t = await call(via, "POST", "/v1/enrollment-tokens", { site, labels: { fleet: "replicas" } });
      const e = await call(via, "POST", "/v1/enroll", { token: t.json["token"] }, { authorization: "" });
      expect(e.status).toBe(201);
      // Heartbeats far apart: what a site misses reaches it by the leading replica's sweep, not by its heartbeat.
      const agent = syncedAgent(site, e.json["sync"] as SiteSyncCredentials, undefined, {
        heartbeatMs: 120_000,
      });
      agents.push(agent);
      agent.start();
    }
    await eventually(async () => {
      const online = await call(b, "GET", "/v1/sites?presence=online&limit=100");
      return (online.json["items"] as unknown[]).length === SITES;
    }, 30_000);

    // A fan-out committed on A, which dies at once: B finishes the job.
    const created = await call(a, "POST", "/v1/intents", {
      text: "Deploy 2 AMF",
      siteSelector: { matchLabels: { fleet: "replicas" } },
    });
    expect(created.status).toBe(201);
    a.child.proc.kill("SIGKILL");
    const id = created.json["id"] as string;
    const settled = async (revision: number) => {
      const r = await call(b, "GET", `/v1/intents/${id}`);
      const rollup = r.json["rollup"] as { revision: number; settled: number; targetedSites: number };
      return rollup.revision === revision && rollup.targetedSites === SITES && rollup.settled === SITES;
    };
    await eventually(() => settled(1), 45_000, 250);
    for (const agent of agents) expect(agent.store.getIntent(id)?.revision).toBe(1);

    // The next change goes through the survivor and reaches every site.
    const patched = await call(b, "PATCH", `/v1/intents/${id}`, { priority: "high" }, { "if-match": '"1"' });
    expect(patched.status).toBe(200);
    await eventually(() => settled(2), 30_000, 250);
    for (const agent of agents) expect(agent.store.getIntent(id)?.revision).toBe(2);

    // A change committed and never sent (as when the replica that made it dies before sending anything): the
    // leading replica sees the sites behind and brings them up to date.
    const store = await openPostgresStore(storeUrl, () => new Date(), { password: pg.password });
    try {
      await store.transaction(async (tx) => {
        const i = await tx.intents.update(id, 2, { priority: "low" });
        await tx.desired.retargetIntent(id, i.revision, i.siteSelector);
      });
    } finally {
      await store.close();
    }
    await eventually(() => settled(3), 30_000, 250);
    for (const agent of agents) expect(agent.store.getIntent(id)?.revision).toBe(3);
  }, 180_000);

  it("drives a staged rollout on the leading replica; killed mid-rollout, the next replica to lead completes it", async () => {
    // The replica that survived the first test leads (it took the lead when the other died); a new one joins.
    const leader = children.find((c) => c.proc.exitCode === null && c.proc.signalCode === null);
    if (!leader) throw new Error("no replica survived the first test");
    const b = await replica();
    const created = await call(b, "POST", "/v1/intents", {
      text: "Deploy 1 NRF",
      siteSelector: { matchLabels: { fleet: "replicas" } },
      rollout: { waves: [6, 6, 6], bakeSeconds: 2 },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json["id"] as string;
    const rollout = async () => (await call(b, "GET", `/v1/intents/${id}/rollout`)).json;
    await eventually(async () => ((await rollout())["stage"] as number) >= 1 || undefined, 45_000, 100);
    expect(agents.filter((a) => a.store.getIntent(id)).length).toBeLessThan(SITES);
    leader.proc.kill("SIGKILL");
    const done = await eventually(
      async () => {
        const r = await rollout();
        return r["state"] === "Completed" ? r : undefined;
      },
      60_000,
      250,
    );
    expect((done["stages"] as { sites: number }[]).map((s) => s.sites)).toEqual([6, 6, 6, 6]);
    await eventually(
      () => agents.every((a) => a.store.getIntent(id)?.revision === 1) || undefined,
      45_000,
      250,
    );
  }, 180_000);
});
