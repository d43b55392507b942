/**
 * Sync on a three-server NATS cluster, as a fleet runs it: routes on loopback, JetStream on each server, the
 * reports stream kept on all three. Enrollment hands each site every server's URL; when a server is killed,
 * hub and agents fail over to the others, and every change still reaches every site and every report the hub.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { eventually } from "../harness/agent";
import { which } from "../harness/brokers";
import { NatsCluster } from "../harness/nats-cluster";
import { api, enroll, recentWarnings, reported, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

const installed = !skippedFor(
  which("nats-server") ? undefined : "nats-server is not installed (scripts/test-env/brokers.sh install)",
  "the NATS cluster suite is",
);

const SITES = 6;
const done = (phase: string | undefined): boolean => phase === "Applied" || phase === "Ready";

describe.skipIf(!installed)("sync on a three-server NATS cluster", () => {
  let cluster: NatsCluster;
  let hub: Hub;
  const agents: Agent[] = [];
  const sites: string[] = [];

  beforeAll(async () => {
    cluster = await NatsCluster.start(mkdtempSync(join(tmpdir(), "nephoran-nats-cluster-")));
    hub = await startHub(cluster.hubSync());
  }, 60_000);
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await hub?.stop();
    await cluster?.stop();
  });

  /**
   * Until every site has reported the intent done. A timeout says where each site behind stands, where the
   * reports stream stands, and what hub and agents warned of.
   */
  async function everySiteHas(intentId: string, ms: number): Promise<void> {
    try {
      await eventually(
        async () =>
          (await Promise.all(sites.map((s) => reported(hub, intentId, s)))).every((r) => done(r?.phase)),
        ms,
        200,
      );
    } catch (e: unknown) {
      const behind: string[] = [];
      for (const [i, site] of sites.entries()) {
        const r = await reported(hub, intentId, site);
        if (done(r?.phase)) continue;
        const s = agents[i]?.sync?.status();
        const held = agents[i]?.store.getIntent(intentId);
        behind.push(
          `${site}: the hub has ${r ? `${r.phase} (revision ${r.revision})` : "no report"}; the site ` +
            `${held ? `holds revision ${held.revision}` : "does not hold it"}, link ${s?.link}, acked ` +
            `v${s?.ackedVersion} of v${s?.hubVersion}, outbox ${s?.outbox}, last report ack ` +
            `${s?.lastReportAckAt ?? "never"}, received ${JSON.stringify(s?.receivedByType)}`,
        );
      }
      throw new Error(
        [
          `${intentId} did not reach every site: ${(e as Error).message}`,
          ...behind,
          await cluster.reportsState(),
          "warnings:",
          ...recentWarnings(),
        ].join("\n"),
      );
    }
  }

  it("hands every site every server, and converges with one server killed", async () => {
    for (let i = 0; i < SITES; i++) {
      const site = `cl${i}`;
      const { sync } = await enroll(hub, site, { fleet: "cluster" });
      expect(sync.url).toBe(cluster.urls);
      sites.push(site);
      const agent = syncedAgent(site, sync);
      agents.push(agent);
      agent.start();
    }
    const first = await api(hub, "POST", "/v1/intents", {
      text: "Deploy 1 AMF",
      siteSelector: { matchLabels: { fleet: "cluster" } },
    });
    expect(first.status).toBe(201);
    await everySiteHas(first.json["id"] as string, 30_000);

    // One server dies at once; the reports stream keeps a quorum on the other two.
    const [gone] = cluster.nodes;
    await gone?.stop("SIGKILL");
    const second = await api(hub, "POST", "/v1/intents", {
      text: "Deploy 1 SMF",
      siteSelector: { matchLabels: { fleet: "cluster" } },
    });
    expect(second.status).toBe(201);
    await everySiteHas(second.json["id"] as string, 45_000);
    for (const a of agents) expect(a.store.getIntent(second.json["id"] as string)?.revision).toBe(1);

    // Back again: it rejoins, and the fleet goes on.
    await gone?.start();
    await cluster.jetStreamReady();
    const third = await api(hub, "POST", "/v1/intents", {
      text: "Deploy 1 UPF",
      siteSelector: { matchLabels: { fleet: "cluster" } },
    });
    await everySiteHas(third.json["id"] as string, 45_000);
  });
});
