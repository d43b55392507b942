/**
 * Staged rollouts end to end: a hub on nats-server (JetStream), 20 agents running the real sync client and
 * a folder target. Stages in order, a failing canary rolled back before any wave, a site away during its
 * wave converging when it returns, a hub restarted mid-rollout going on where it was.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import type { SiteSyncCredentials } from "@nephoran/shared";
import { eventually } from "../harness/agent";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, startBroker } from "../harness/brokers";
import { api, enroll, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

skippedFor(
  brokersInstalled() ? undefined : "nats-server is not installed (scripts/test-env/brokers.sh install)",
  "the rollout suite is",
);

const SITES = Array.from({ length: 20 }, (_, i) => `ro-${String(i).padStart(2, "0")}`);

interface RolloutJson {
  state: string;
  stage: number;
  reason: string | null;
  stages: { name: string; sites: number; status: string; counts: Record<string, number> }[];
  failures: { site: string; why: string }[];
}

describe.skipIf(!brokersInstalled())("staged rollouts on nats-server", () => {
  let broker: Broker;
  let hub: Hub;
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-hub-rollouts-"));
  const agents = new Map<string, Agent>();
  const creds = new Map<string, SiteSyncCredentials>();

  beforeAll(async () => {
    broker = (await startBroker("nats")) as Broker;
    hub = await startHub(broker.hubSync(), dataDir);
    for (const site of SITES) {
      // ro-00 is the canary ring; the rest are the main ring.
      const { sync } = await enroll(hub, site, { ring: site === "ro-00" ? "canary" : "main" });
      creds.set(site, sync);
      const agent = syncedAgent(site, sync);
      agents.set(site, agent);
      agent.start();
    }
  }, 120_000);
  afterAll(async () => {
    for (const a of agents.values()) await a.stop().catch(() => undefined);
    await hub?.stop();
    await broker?.stop();
  });

  /** What each agent holds of the intent: the revision, or undefined. */
  const holds = (id: string): (number | undefined)[] =>
    SITES.map(
      (s) =>
        agents
          .get(s)
          ?.store.listIntents()
          .find((i) => i.id === id)?.revision,
    );

  const rollout = async (id: string) =>
    (await api(hub, "GET", `/v1/intents/${id}/rollout`)).json as unknown as RolloutJson;

  async function settle(id: string, revision: number, sites = SITES): Promise<void> {
    await eventually(async () => {
      const reports = await hub.deps.store.reports.forIntent(id);
      const ok = sites.every((s) =>
        reports.some(
          (r) => r.siteId === s && r.revision >= revision && (r.phase === "Applied" || r.phase === "Ready"),
        ),
      );
      return ok || undefined;
    }, 60_000);
  }

  it("reaches the canary, then each wave in order, while the others keep the revision before", async () => {
    const base = await api(hub, "POST", "/v1/intents", {
      name: "upf",
      plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "upf", replicas: 1 }] },
      siteSelector: { all: true },
    });
    expect(base.status, JSON.stringify(base.json)).toBe(201);
    const id = base.json["id"] as string;
    await settle(id, 1);

    const before = await api(hub, "GET", `/v1/intents/${id}`);
    const patched = await api(
      hub,
      "PATCH",
      `/v1/intents/${id}`,
      {
        plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "upf", replicas: 2 }] },
        rollout: { canary: { matchLabels: { ring: "canary" } }, waves: ["25%", "25%"] },
      },
      { "if-match": `"${before.json["revision"] as number}"` },
    );
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    // Watched as it goes: no site of a later stage ever holds revision 2 before the stages ahead pass.
    const order = [["ro-00"], SITES.slice(1, 6), SITES.slice(6, 11), SITES.slice(11)];
    let seen = 0;
    await eventually(
      async () => {
        const r = await rollout(id);
        const now = holds(id);
        for (const [k, stage] of order.entries())
          if (k > r.stage && r.state === "Progressing")
            for (const s of stage) expect(now[SITES.indexOf(s)], `${s} during stage ${r.stage}`).toBe(1);
        seen = Math.max(seen, r.stage);
        return r.state === "Completed" || undefined;
      },
      90_000,
      50,
    );
    expect(seen).toBe(3);
    await settle(id, 2);
    expect(holds(id)).toEqual(SITES.map(() => 2));
  }, 120_000);

  it("a failing canary never reaches wave 1 and is rolled back; a restarted hub goes on where it was", async () => {
    // Scaling an NF the canary does not run fails there: "no smf is deployed at this site to scale".
    const smf = await api(hub, "POST", "/v1/intents", {
      name: "smf main ring",
      plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "smf", replicas: 1 }] },
      siteSelector: { matchLabels: { ring: "main" } },
    });
    expect(smf.status).toBe(201);
    await settle(smf.json["id"] as string, 1, SITES.slice(1));
    const scale = await api(hub, "POST", "/v1/intents", {
      name: "scale smf",
      plan: { intentType: "nf.scale", actions: [{ kind: "scale", nf: "smf", replicas: 2 }] },
      siteSelector: { all: true },
      rollout: { canary: 1, waves: ["50%"] },
    });
    expect(scale.status, JSON.stringify(scale.json)).toBe(201);
    const id = scale.json["id"] as string;
    const back = await eventually(async () => {
      const r = await rollout(id);
      return r.state === "RolledBack" ? r : undefined;
    }, 60_000);
    expect(back.stage).toBe(0);
    // Why, as the site's agent said it.
    expect(back.reason).toContain("ro-00 reported Failed at revision 1: ");
    expect(back.reason).toMatch(/no smf is deployed/);
    // Wave 1 never held it; the canary let it go.
    await eventually(() => holds(id).every((h) => h === undefined) || undefined, 30_000);
    expect((await hub.deps.store.reports.forIntent(id)).map((r) => r.siteId)).toEqual(["ro-00"]);

    // A good change on the main ring, waves of one site with a bake; the hub restarts mid-rollout.
    const good = await api(hub, "POST", "/v1/intents", {
      name: "amf main ring",
      plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: 1 }] },
      siteSelector: { matchLabels: { ring: "main" } },
      rollout: { waves: [1, 1, 1], bakeSeconds: 1 },
    });
    expect(good.status).toBe(201);
    const gid = good.json["id"] as string;
    await eventually(async () => ((await rollout(gid)).stage >= 1 ? true : undefined), 30_000);
    await hub.stop();
    hub = await startHub(broker.hubSync(), dataDir);
    const done = await eventually(async () => {
      const r = await rollout(gid);
      return r.state === "Completed" ? r : undefined;
    }, 90_000);
    expect(done.stages.map((s) => s.sites)).toEqual([1, 1, 1, 16]);
    await settle(gid, 1, SITES.slice(1));
  }, 240_000);

  it("a site away during its wave, or during a rollback, converges to the right revision when back", async () => {
    const away = "ro-07";
    await agents.get(away)?.stop();
    agents.delete(away);
    // Long enough for the hub to see it gone (the agent says goodbye on stop).
    const r0 = await api(hub, "POST", "/v1/intents", {
      name: "nrf",
      plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "nrf", replicas: 1 }] },
      siteSelector: { all: true },
      rollout: { canary: 1, waves: ["50%"], maxFailures: 1 },
    });
    expect(r0.status).toBe(201);
    const id = r0.json["id"] as string;
    const done = await eventually(async () => {
      const r = await rollout(id);
      return r.state === "Completed" ? r : undefined;
    }, 90_000);
    expect(done.failures).toEqual([
      { site: away, why: expect.stringMatching(/^offline for \d+ s into its stage$/), unavailable: true },
    ]);
    const agent = syncedAgent(away, creds.get(away) as SiteSyncCredentials);
    agents.set(away, agent);
    agent.start();
    await settle(id, 1);

    // A rollback reaches a site the change touched that was away when it happened.
    const nrf = (replicas: number) => ({
      intentType: "nf.deploy",
      actions: [{ kind: "deploy", nf: "nrf", replicas }],
    });
    const patched = await api(
      hub,
      "PATCH",
      `/v1/intents/${id}`,
      { plan: nrf(2), rollout: { canary: { names: ["ro-05", "ro-06"] }, bakeSeconds: 600 } },
      { "if-match": '"1"' },
    );
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    const touched = agents.get("ro-06") as Agent;
    await eventually(() => touched.store.getIntent(id)?.revision === 2 || undefined, 30_000);
    await touched.stop();
    agents.delete("ro-06");
    const aborted = await api(hub, "POST", `/v1/intents/${id}/rollout/abort`);
    expect(aborted.json["state"]).toBe("RolledBack");
    await settle(
      id,
      3,
      SITES.filter((s) => s !== "ro-06"),
    );
    const back = syncedAgent("ro-06", creds.get("ro-06") as SiteSyncCredentials, touched.config.dataDir);
    agents.set("ro-06", back);
    back.start();
    await eventually(() => back.store.getIntent(id)?.revision === 3 || undefined, 30_000);
    expect(back.store.getIntent(id)?.plan.actions[0]?.replicas).toBe(1);
  }, 180_000);
});
