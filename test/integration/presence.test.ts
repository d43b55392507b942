/**
 * A site that said it is going stays gone until it is back: a report or an ack sent before its goodbye
 * can reach the hub after it (NATS carries reports on a stream and the goodbye on a plain subject; a
 * broker redelivers), and is committed, but only a new session, a heartbeat or "online" brings the site
 * back — in sync as in the API. On the embedded broker and on nats-server.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { AgentTransport, SiteIntentReport, SiteSyncCredentials } from "@nephoran/shared";
import { createAgentTransport, encode, PROTOCOL_VERSION } from "@nephoran/shared";
import type { Hub } from "@nephoran/hub";
import { eventually, uniqueSite } from "../harness/agent";
import { brokersInstalled, startBroker } from "../harness/brokers";
import { api, enroll, FAST_LINK, reported, startHub } from "../harness/sync";

const installed = brokersInstalled();
if (!installed && process.env["CI"])
  throw new Error("nats-server/mosquitto are not installed: CI must run them");

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** The site's end of the link, speaking the protocol by hand. */
async function rawSite(sync: SiteSyncCredentials, site: string) {
  const transport: AgentTransport = await createAgentTransport(sync, FAST_LINK);
  let ready = false;
  transport.start({ onReady: () => (ready = true), onDown: () => undefined, onLost: () => undefined });
  cleanup.push(() => transport.close());
  await eventually(() => ready);
  const head = { v: PROTOCOL_VERSION, site, cred: sync.credentialId } as const;
  return {
    send: (msg: Record<string, unknown>, durable = false) => {
      if (!transport.send(encode({ ...head, ...msg } as never), durable)) throw new Error("link down");
    },
  };
}

describe.each(["embedded", "nats"] as const)("presence over %s", (kind) => {
  it.skipIf(kind !== "embedded" && !installed)(
    "a report after the goodbye is kept, and the site stays offline until it says hello or beats",
    async () => {
      const broker = await startBroker(kind);
      cleanup.push(async () => broker?.stop());
      // Heartbeats of 30 s (presence times out after 90 s): nothing but the site's words moves its presence.
      const hub: Hub = await startHub(
        broker ? broker.hubSync() : { transport: "embedded", port: 0 },
        undefined,
        30,
      );
      cleanup.push(() => hub.stop());
      const name = uniqueSite(`pres${kind.slice(0, 2)}`);
      const { sync } = await enroll(hub, name);
      const created = await api(hub, "POST", "/v1/intents", { text: `Deploy 1 AMF at ${name}` });
      expect(created.status).toBe(201);
      const intentId = created.json["id"] as string;
      const presence = async () => (await api(hub, "GET", `/v1/sites/${name}`)).json["presence"];

      const site = await rawSite(sync, name);
      site.send({ type: "hello", ackedVersion: 0, agentVersion: "test" });
      await eventually(async () => (await presence()) === "online");
      site.send({ type: "presence", online: false });
      await eventually(async () => (await presence()) === "offline");
      expect(hub.sync?.isOnline(name)).toBe(false);

      // Sent before the goodbye, delivered after it.
      const at = new Date().toISOString();
      const report: SiteIntentReport = {
        siteId: name,
        intentId,
        revision: 1,
        phase: "Applied",
        conditions: [{ type: "Ready", status: "Unknown", message: "a folder", lastTransitionTime: at }],
        nfStatus: [],
        observedAt: at,
        reportSeq: 1,
      };
      site.send({ type: "report", id: `${name}:${intentId}:1`, report }, true);
      site.send({ type: "ack", version: 1 });
      await eventually(async () => (await reported(hub, intentId, name))?.phase === "Applied");
      await eventually(async () => (await hub.deps.store.sites.get(name))?.reportedVersion === 1);
      expect(await presence()).toBe("offline");
      expect(hub.sync?.isOnline(name)).toBe(false);

      // Back: a heartbeat is a site that is there.
      site.send({
        type: "heartbeat",
        seq: 1,
        ackedVersion: 1,
        digest: "0000000000000000",
        outbox: 0,
      });
      await eventually(async () => (await presence()) === "online");
      expect(hub.sync?.isOnline(name)).toBe(true);
    },
  );
});
