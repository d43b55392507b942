/**
 * Hub ↔ agent sync over each transport against the real broker: the embedded MQTT broker, mosquitto
 * (MQTT 5) and nats-server (JetStream). Agents reach the broker through a TCP proxy the tests cut and stall.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect as mqttConnect } from "mqtt";
import { connect as natsConnect, nkeyAuthenticator } from "@nats-io/transport-node";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { createIntent as createInHub, resolvePlan, selectorFor } from "@nephoran/hub";
import type { SiteSyncCredentials } from "@nephoran/shared";
import { eventually, uniqueSite } from "../harness/agent";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, startBroker } from "../harness/brokers";
import { TcpProxy } from "../harness/proxy";
import { api, enroll, reported, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

const installed = !skippedFor(
  brokersInstalled()
    ? undefined
    : "nats-server/mosquitto are not installed (scripts/test-env/brokers.sh install)",
  "the external-broker sync suites are",
);

type Kind = "embedded" | "mosquitto" | "nats";
const kinds: Kind[] = ["embedded", "mosquitto", "nats"];

/** Points a site's credentials at the proxy instead of the broker. */
function via(proxy: TcpProxy, sync: SiteSyncCredentials): SiteSyncCredentials {
  const u = new URL(sync.url);
  u.host = `127.0.0.1:${proxy.port}`;
  return { ...sync, url: u.toString().replace(/\/$/, "") };
}

/** Applied, or already Ready (a folder target has nothing to wait for). */
const done = (phase: string | undefined): boolean => phase === "Applied" || phase === "Ready";

const manifests = (agent: Agent): string[] => {
  const dir = join(agent.config.dataDir, "manifests");
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".yaml"))
    : [];
};

describe.each(kinds)("sync over %s", (kind) => {
  const skip = kind !== "embedded" && !installed;
  let broker: Broker | undefined;
  let hub: Hub;
  const agents: Agent[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    if (skip) return;
    broker = await startBroker(kind);
    hub = await startHub(broker ? broker.hubSync() : { transport: "embedded", port: 0 });
  });
  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => undefined);
    for (const p of proxies) await p.stop();
    await hub?.stop();
    await broker?.stop();
  });

  async function site(labels: Record<string, string> = {}) {
    const name = uniqueSite(kind.slice(0, 4));
    const { sync, credential } = await enroll(hub, name, labels);
    const u = new URL(sync.url);
    const proxy = new TcpProxy(u.hostname, Number(u.port));
    await proxy.start();
    proxies.push(proxy);
    const agent = syncedAgent(name, via(proxy, sync));
    agents.push(agent);
    return { name, agent, proxy, sync, credential };
  }

  async function createIntent(text: string): Promise<{ id: string; revision: number }> {
    const r = await api(hub, "POST", "/v1/intents", { text });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json as { id: string; revision: number };
  }

  it.skipIf(skip)(
    "delivers an intent to the sites it targets only; they apply it and report back",
    async () => {
      const a = await site({ tier: `t-${kind}` });
      const b = await site({ tier: "other" });
      a.agent.start();
      b.agent.start();
      const intent = await createIntent(`Deploy 2 AMF at ${a.name}`);
      await eventually(() => a.agent.store.getIntent(intent.id)?.revision === 1);
      await eventually(() => manifests(a.agent).length > 0);
      await eventually(async () => done((await reported(hub, intent.id, a.name))?.phase));
      expect(b.agent.store.getIntent(intent.id)).toBeUndefined();
      // Every acknowledgement landed: the hub knows the site holds its desired version.
      await eventually(async () => {
        const s = await hub.deps.store.sites.get(a.name);
        return s && s.reportedVersion === s.desiredVersion;
      });
      await eventually(() => a.agent.store.outboxDepth() === 0);
    },
  );

  it.skipIf(skip)(
    "intents created together are written as one group: a site several reach goes one version up for all, and holds them all",
    async () => {
      const a = await site();
      const b = await site();
      a.agent.start();
      b.agent.start();
      const texts = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? `Deploy ${1 + (i % 2)} AMF at ${a.name} and ${b.name}`
          : i % 3 === 1
            ? `Deploy 1 SMF at ${a.name}`
            : `Deploy 1 NRF at ${b.name}`,
      );
      const plans = await Promise.all(texts.map((text) => resolvePlan(hub.deps, { text })));
      const version = async (name: string) => (await hub.deps.store.sites.get(name))?.desiredVersion ?? 0;
      const before = [await version(a.name), await version(b.name)];
      // Asked for in one turn of the event loop, as concurrent requests are: one transaction writes them all.
      const created = await Promise.all(
        plans.map(({ plan }, i) =>
          createInHub(hub.deps, {
            name: `group-${i}`,
            plan,
            siteSelector: selectorFor(undefined, plan),
            priority: plan.priority,
            createdBy: "test",
          }),
        ),
      );
      expect([await version(a.name), await version(b.name)]).toEqual(before.map((v) => (v as number) + 1));
      const want = (name: string) =>
        created
          .filter((_, i) => texts[i]?.includes(name))
          .map((c) => c.id)
          .sort();
      const holds = (agent: Agent) =>
        agent.store
          .listIntents()
          .map((i) => i.id)
          .filter((id) => created.some((c) => c.id === id))
          .sort();
      await eventually(() => holds(a.agent).join() === want(a.name).join());
      await eventually(() => holds(b.agent).join() === want(b.name).join());
      expect(want(a.name).length).toBe(8);
      for (const c of created)
        await eventually(async () => {
          const r = await api(hub, "GET", `/v1/intents/${c.id}`);
          const rollup = r.json["rollup"] as { settled: number; targetedSites: number };
          return rollup.targetedSites > 0 && rollup.settled === rollup.targetedSites;
        });
      const audit = await api(hub, "GET", "/v1/audit?limit=500");
      const creates = (audit.json["items"] as { action: string; target: string }[]).filter(
        (e) => e.action === "intent.create" && created.some((c) => c.id === e.target),
      );
      expect(creates.length).toBe(created.length);
    },
  );

  it.skipIf(skip)(
    "carries updates and deletes; a deleted intent is gone from the site and then from the hub",
    async () => {
      const a = await site();
      a.agent.start();
      const intent = await createIntent(`Deploy 1 SMF at ${a.name}`);
      await eventually(() => a.agent.store.getIntent(intent.id)?.revision === 1);
      const patched = await api(
        hub,
        "PATCH",
        `/v1/intents/${intent.id}`,
        { text: `scale SMF to 3 replicas at ${a.name}` },
        { "if-match": '"1"' },
      );
      expect(patched.status, JSON.stringify(patched.json)).toBe(200);
      await eventually(() => a.agent.store.getIntent(intent.id)?.revision === 2);
      const del = await api(hub, "DELETE", `/v1/intents/${intent.id}`);
      expect(del.status).toBeLessThan(300);
      await eventually(() => a.agent.store.getIntent(intent.id) === undefined);
      await eventually(async () => (await api(hub, "GET", `/v1/intents/${intent.id}`)).status === 404);
    },
  );

  it.skipIf(skip)(
    "a site back from an outage gets one message per changed intent, not the backlog",
    async () => {
      const a = await site();
      a.agent.start();
      const first = await createIntent(`Deploy 1 UPF at ${a.name}`);
      await eventually(() => a.agent.store.getIntent(first.id));
      await a.agent.stop();
      agents.splice(agents.indexOf(a.agent), 1);

      // While it is away: 5 new intents, each changed 4 times, and the first one deleted: 6 intents changed.
      const ids: string[] = [];
      for (let k = 0; k < 5; k++) {
        const i = await createIntent(`Deploy 1 NRF at ${a.name}`);
        ids.push(i.id);
        for (let r = 1; r <= 4; r++) {
          const p = await api(
            hub,
            "PATCH",
            `/v1/intents/${i.id}`,
            { priority: r % 2 ? "high" : "low" },
            { "if-match": `"${r}"` },
          );
          expect(p.status).toBe(200);
        }
      }
      expect((await api(hub, "DELETE", `/v1/intents/${first.id}`)).status).toBeLessThan(300);

      const back = syncedAgent(a.name, via(a.proxy, a.sync), a.agent.config.dataDir);
      agents.push(back);
      back.start();
      await eventually(
        () => ids.every((id) => back.store.getIntent(id)?.revision === 5) && !back.store.getIntent(first.id),
      );
      const st = back.sync?.status();
      // One intent message per changed intent (6) and one "synced", not the 26 changes made while away; the
      // retained pointer (MQTT) comes on subscribe, a fresh one may cross the hello, and acknowledgements of
      // the site's reports come beside them.
      expect(st?.receivedByType["intent"]).toBe(6);
      expect(st?.receivedByType["synced"]).toBe(1);
      expect(st?.receivedByType["pointer"] ?? 0).toBeLessThanOrEqual(2);
    },
  );

  it.skipIf(skip)("rides out a cut link and a stalled link, losing nothing", async () => {
    const a = await site();
    a.agent.start();
    const i1 = await createIntent(`Deploy 1 AUSF at ${a.name}`);
    await eventually(() => a.agent.store.getIntent(i1.id));

    a.proxy.cut();
    const i2 = await createIntent(`Deploy 1 UDM at ${a.name}`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(a.agent.store.getIntent(i2.id)).toBeUndefined();
    // The site keeps what it has while the link is down.
    expect(a.agent.store.getIntent(i1.id)).toBeDefined();
    a.proxy.restore();
    await eventually(() => a.agent.store.getIntent(i2.id));
    await eventually(async () => done((await reported(hub, i2.id, a.name))?.phase));

    a.proxy.stall();
    const i3 = await createIntent(`Deploy 1 UDR at ${a.name}`);
    await new Promise((r) => setTimeout(r, 4000));
    a.proxy.restore();
    await eventually(() => a.agent.store.getIntent(i3.id), 30_000);
    await eventually(async () => done((await reported(hub, i3.id, a.name))?.phase), 30_000);
  });

  it.skipIf(skip)(
    "dials a cut link less and less often, and is back within the longest wait once it returns",
    async () => {
      const a = await site();
      a.agent.start();
      await eventually(() => a.agent.sync?.status().link === "online");

      // FAST_LINK: 200 ms at first, 1 s at most. At a fixed 200 ms, six seconds would be about 30 dials.
      a.proxy.cut();
      const cutAt = a.proxy.accepted;
      await new Promise((r) => setTimeout(r, 3000));
      const firstHalf = a.proxy.accepted - cutAt;
      await new Promise((r) => setTimeout(r, 3000));
      const secondHalf = a.proxy.accepted - cutAt - firstHalf;
      expect(firstHalf, "dials in the first 3 s of the cut").toBeGreaterThanOrEqual(2);
      expect(firstHalf, "dials in the first 3 s of the cut").toBeLessThanOrEqual(10);
      expect(secondHalf, "dials in the next 3 s: at most one a half second").toBeLessThanOrEqual(6);
      expect(secondHalf, "still dialling").toBeGreaterThanOrEqual(2);

      const i = await createIntent(`Deploy 1 NSSF at ${a.name}`);
      a.proxy.restore();
      await eventually(() => a.agent.sync?.status().link === "online", 5000);
      await eventually(async () => done((await reported(hub, i.id, a.name))?.phase));
    },
  );

  it.skipIf(skip)(
    "keeps sites apart: one site's credentials cannot read another's intents or forge its reports",
    async () => {
      const a = await site();
      const b = await site();
      b.agent.start();
      const secret = await createIntent(`Deploy 1 PCF at ${b.name}`);
      // Settled first, so nothing but a forgery could change what the hub holds for it afterwards.
      const before = await eventually(async () => {
        const r = await reported(hub, secret.id, b.name);
        return r && done(r.phase) ? r : undefined;
      });
      expect(before).toBeDefined();

      const forged = Buffer.from(
        JSON.stringify({
          v: 1,
          site: b.name,
          // b's credential id is no secret: only the channel and the broker's ACL may stop this.
          cred: b.sync.credentialId,
          type: "report",
          id: `${b.name}:${secret.id}:999999`,
          report: { ...before, phase: "Failed", reportSeq: 999999 },
        }),
      );
      const snooped: string[] = [];
      if (a.sync.transport === "mqtt") {
        const c = mqttConnect(a.sync.url, {
          username: a.sync.username,
          password: a.sync.password,
          protocolVersion: a.sync.protocolVersion,
          clientId: `intruder-${a.name}`,
          reconnectPeriod: 200,
        });
        // A refused login is retried: a new site's password may still be reloading at the broker.
        await new Promise<void>((resolve) => c.once("connect", () => resolve()));
        c.on("message", (t) => snooped.push(t));
        // Refused at once (embedded) or granted and never delivered (mosquitto checks its ACL on delivery).
        c.subscribe([`nephoran/site/${b.name}/down`, "nephoran/site/+/down", "nephoran/#"], { qos: 1 });
        // A broker may answer a refused subscription by closing the link: nothing here waits for it.
        c.publish(`nephoran/site/${b.name}/up`, forged, { qos: 1 });
        // Its own topic, another site's name inside: refused by the hub.
        c.publish(`nephoran/site/${a.name}/up`, forged, { qos: 1 });
        await createIntent(`Deploy 1 NSSF at ${b.name}`);
        await new Promise((r) => setTimeout(r, 1000));
        c.end(true);
      } else {
        const nc = await natsConnect({
          servers: a.sync.url,
          authenticator: nkeyAuthenticator(new TextEncoder().encode(a.sync.nkeySeed)),
        });
        const errors: string[] = [];
        void (async () => {
          for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.error));
        })();
        nc.subscribe(`nephoran.site.${b.name}.down`, {
          callback: (e, m) => void (e || snooped.push(m.subject)),
        });
        nc.subscribe(`nephoran.site.*.down`, { callback: (e, m) => void (e || snooped.push(m.subject)) });
        nc.publish(`nephoran.site.${b.name}.up`, forged);
        nc.publish(`nephoran.site.${a.name}.up`, forged);
        await nc.flush().catch(() => undefined);
        await createIntent(`Deploy 1 NSSF at ${b.name}`);
        await new Promise((r) => setTimeout(r, 1000));
        expect(errors.join("\n")).toMatch(/permission/i);
        await nc.close().catch(() => undefined);
      }
      expect(snooped).toEqual([]);
      const after = await reported(hub, secret.id, b.name);
      expect(after?.phase).toBe(before?.phase);
      expect((after as { reportSeq?: number } | undefined)?.reportSeq).not.toBe(999999);
    },
  );
});
