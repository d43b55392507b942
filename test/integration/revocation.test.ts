/**
 * A revoked site loses its link at once, on every transport: after a re-enrollment the old box (still on
 * its old credential) is disconnected, cannot log in again, receives nothing new, and none of its reports
 * is committed; after a delete the site's box is disconnected and stays out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { eventually, uniqueSite } from "../harness/agent";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, startBroker } from "../harness/brokers";
import { api, enroll, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

const installed = !skippedFor(
  brokersInstalled()
    ? undefined
    : "nats-server/mosquitto are not installed (scripts/test-env/brokers.sh install)",
  "the external-broker revocation suites are",
);

const kinds = ["embedded", "mosquitto", "nats"] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(kinds)("revocation over %s", (kind) => {
  const skip = kind !== "embedded" && !installed;
  let broker: Broker | undefined;
  let hub: Hub;
  const agents: Agent[] = [];

  beforeAll(async () => {
    if (skip) return;
    broker = await startBroker(kind);
    hub = await startHub(broker ? broker.hubSync() : { transport: "embedded", port: 0 });
  });
  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    await hub?.stop();
    await broker?.stop();
  });

  const started = (a: Agent): Agent => (agents.push(a), a.start(), a);
  const connected = (a: Agent): boolean => a.sync?.status().connected === true;
  async function createIntent(text: string): Promise<string> {
    const r = await api(hub, "POST", "/v1/intents", { text });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json["id"] as string;
  }

  it.skipIf(skip)(
    "cuts off the old box at re-enrollment: it receives nothing new and none of its reports counts",
    async () => {
      const name = uniqueSite(kind.slice(0, 4));
      const first = await enroll(hub, name);
      const old = started(syncedAgent(name, first.sync));
      const before = await createIntent(`Deploy AMF at ${name}`);
      await eventually(() => old.store.getIntent(before) !== undefined);

      const second = await enroll(hub, name); // the site is re-enrolled: a new box, a new credential
      await eventually(() => !connected(old), 10_000);
      const fresh = started(syncedAgent(name, second.sync));
      const after = await createIntent(`Deploy SMF at ${name}`);
      await eventually(() => fresh.store.getIntent(after) !== undefined);
      await eventually(() => fresh.store.getIntent(before) !== undefined);

      // The old box makes a local intent: its report must never reach the hub's store.
      const local = await old.addLocalIntent("Deploy a basic NRF instance for testing");
      await eventually(() => old.store.getIntent(local.id)?.phase !== "Pending");
      await sleep(2500); // several reconnect attempts and heartbeats of the old box
      expect(connected(old)).toBe(false);
      expect(old.store.getIntent(after)).toBeUndefined();
      expect((await hub.deps.store.reports.forSite(name)).map((r) => r.intentId)).not.toContain(local.id);
      // The new box is the site now, and online.
      expect(connected(fresh)).toBe(true);
      const view = await api(hub, "GET", `/v1/sites/${name}`);
      expect(view.json["presence"]).toBe("online");
    },
  );

  it.skipIf(skip)("cuts off a deleted site's box at once, and keeps it out", async () => {
    const name = uniqueSite(kind.slice(0, 4));
    const { sync } = await enroll(hub, name);
    const box = started(syncedAgent(name, sync));
    await eventually(() => connected(box));
    const gone = await api(hub, "DELETE", `/v1/sites/${name}`);
    expect(gone.status).toBe(204);
    await eventually(() => !connected(box), 10_000);
    await sleep(2500);
    expect(connected(box)).toBe(false);
    expect((await api(hub, "GET", `/v1/sites/${name}`)).status).toBe(404);
  });
});
