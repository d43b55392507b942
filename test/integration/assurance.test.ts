/**
 * Intent assurance end to end on a real Prometheus: a site's UPF expectations (latency under 10 ms,
 * throughput over 100 Mbit/s) measured from KPIs an exporter the test controls serves, judged with
 * hysteresis at the agent, reported through the outbox, and rolled up at the hub — Unknown without data,
 * Fulfilled, NotFulfilled on a breach (also while the hub is away: the reports arrive later, in order),
 * Fulfilled again on recovery — and the closed loop: a remediating intent's UPF scaled out while its
 * throughput falls short (with the hub away), audited at the hub, and back when it has room to spare.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub, HubEvent } from "@nephoran/hub";
import type { ExpectationStatus } from "@nephoran/shared";
import { eventually } from "../harness/agent";
import type { Broker } from "../harness/brokers";
import { brokersInstalled, startBroker } from "../harness/brokers";
import { KpiExporter, Prometheus, prometheusMissing } from "../harness/prometheus";
import { api, enroll, startHub, syncedAgent } from "../harness/sync";
import { skippedFor } from "../harness/skip";

const missing = prometheusMissing() ?? (brokersInstalled() ? undefined : "nats-server is not installed");
skippedFor(missing, "the intent assurance suite is");

const SITE = "as-01";
const plan = {
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
  expectations: [
    { target: "latency_ms", condition: "IS_LESS_THAN", value: 10 },
    { target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 100 },
  ],
};

describe.skipIf(missing !== undefined)("intent assurance on a real Prometheus", () => {
  const exporter = new KpiExporter();
  let prometheus: Prometheus;
  let broker: Broker;
  let hub: Hub;
  let agent: Agent;
  let id: string;
  let pod: string;
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-hub-assurance-"));
  const events: HubEvent[] = [];

  beforeAll(async () => {
    await exporter.start();
    prometheus = await Prometheus.start([`127.0.0.1:${exporter.port}`]);
    broker = (await startBroker("nats")) as Broker;
    hub = await startHub(broker.hubSync(), dataDir);
    hub.deps.events.subscribe((e) => events.push(e));
    const { sync } = await enroll(hub, SITE);
    agent = syncedAgent(
      SITE,
      sync,
      undefined,
      {},
      {
        assurance: {
          metrics: prometheus.url,
          intervalSeconds: 1,
          hysteresis: 2,
          window: "5s",
          cooldownSeconds: 2,
          scaleBackSeconds: 3,
        },
      },
    );
    agent.start();
    const r = await api(hub, "POST", "/v1/intents", {
      name: "upf with slo",
      plan,
      siteSelector: { names: [SITE] },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    id = r.json["id"] as string;
    // The UPF's instance at the site: the exporter speaks for its pod.
    const name = await eventually(() => agent.store.nfStatus(id).find((s) => s.nf === "upf")?.name, 30_000);
    pod = `${name}-0`;
  }, 120_000);
  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    await hub?.stop();
    await broker?.stop();
    await prometheus?.stop();
    await exporter.stop();
  });

  const atAgent = (): ExpectationStatus[] => agent.store.expectations(id).map((x) => x.status);
  const states = (xs: readonly ExpectationStatus[]) => xs.map((x) => x.state);
  const atHub = async () =>
    (
      (await api(hub, "GET", `/v1/intents/${id}`)).json["rollup"] as {
        fulfilment: {
          counts: Record<string, number>;
          worst: { siteId: string; expectations: ExpectationStatus[] }[];
        };
      }
    ).fulfilment;
  const kpis = (latencySeconds: number, mbps: number) => {
    exporter.latency("nephoran_upf_packet_latency_seconds", { pod }, latencySeconds);
    exporter.rate("nephoran_upf_bytes_total", { pod, direction: "downlink" }, (mbps * 1e6) / 8);
  };

  it("is Unknown without data, and says why", async () => {
    const xs = await eventually(() => (atAgent().length === 2 ? atAgent() : undefined), 20_000);
    expect(states(xs)).toEqual(["Unknown", "Unknown"]);
    expect(xs[0]?.message).toMatch(/no data for latency_ms on upf/);
    const f = await eventually(
      async () => ((await atHub()).counts["Unknown"] === 1 ? atHub() : undefined),
      20_000,
    );
    expect(f.counts).toMatchObject({ Unknown: 1, Fulfilled: 0, NotFulfilled: 0 });
  });

  it("is Fulfilled when the KPIs meet it, NotFulfilled at the agent and the hub on a breach, and back", async () => {
    kpis(0.003, 400);
    await eventually(() => (states(atAgent()).every((s) => s === "Fulfilled") ? true : undefined), 30_000);
    await eventually(async () => ((await atHub()).counts["Fulfilled"] === 1 ? true : undefined), 20_000);
    const measured = atAgent().map((x) => x.measured ?? NaN);
    expect(measured[0]).toBeLessThan(10);
    expect(measured[1]).toBeGreaterThan(100);

    // The latency breaks the expectation: NotFulfilled after the hysteresis, at the agent, then the hub.
    const breachAt = Date.now();
    kpis(0.05, 400);
    const breached = await eventually(
      () => (atAgent()[0]?.state === "NotFulfilled" ? atAgent() : undefined),
      30_000,
    );
    expect(breached[0]?.measured).toBeGreaterThan(11);
    expect(breached[1]?.state).toBe("Fulfilled");
    const f = await eventually(
      async () => ((await atHub()).counts["NotFulfilled"] === 1 ? atHub() : undefined),
      20_000,
    );
    expect(f.worst[0]).toMatchObject({ siteId: SITE });
    expect(f.worst[0]?.expectations[0]).toMatchObject({ target: "latency_ms", state: "NotFulfilled" });
    expect(
      events.some((e) => e.type === "intent.fulfilment" && e.id === id && e.fulfilment === "NotFulfilled"),
    ).toBe(true);
    console.log(
      `breach → NotFulfilled at the hub: ${Date.now() - breachAt} ms (interval 1 s, hysteresis 2, window 5 s)`,
    );
    // TMF921: a fulfilment report of the intent says so.
    const reports = await eventually(async () => {
      const r = await api(hub, "GET", `/tmf-api/intentManagement/v5/intent/${id}/intentReport`);
      const items = r.json as unknown as { name: string; description: string }[];
      return items[0]?.name.endsWith("NotFulfilled") ? items : undefined;
    }, 20_000);
    expect(reports[0]?.description).toMatch(/worst: as-01 latency_ms/);

    kpis(0.003, 400);
    await eventually(() => (states(atAgent()).every((s) => s === "Fulfilled") ? true : undefined), 30_000);
    await eventually(async () => ((await atHub()).counts["Fulfilled"] === 1 ? true : undefined), 20_000);
  });

  it("keeps measuring while the hub is away; what changed meanwhile reaches it when it is back", async () => {
    await hub.stop();
    kpis(0.003, 20); // throughput falls far short
    await eventually(() => (atAgent()[1]?.state === "NotFulfilled" ? true : undefined), 30_000);
    expect(agent.store.outboxDepth()).toBeGreaterThan(0);
    hub = await startHub(broker.hubSync(), dataDir);
    const f = await eventually(
      async () => ((await atHub()).counts["NotFulfilled"] === 1 ? atHub() : undefined),
      30_000,
    );
    expect(f.worst[0]?.expectations[1]).toMatchObject({ target: "throughput_mbps", state: "NotFulfilled" });
    expect(f.worst[0]?.expectations[1]?.measured).toBeLessThan(100);
  });

  it("closes the loop: scales the UPF out while throughput falls short, hub away or not, and back with room to spare", async () => {
    const r = await api(hub, "POST", "/v1/intents", {
      name: "upf that sustains 300 Mbit/s",
      plan: {
        intentType: "nf.deploy",
        actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
        expectations: [{ target: "throughput_mbps", condition: "IS_GREATER_THAN", value: 300 }],
        assurance: { remediate: true },
      },
      siteSelector: { names: [SITE] },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    const rid = r.json["id"] as string;
    const upf = () => agent.store.nfStatus(rid).find((s) => s.nf === "upf");
    const name = await eventually(() => upf()?.name, 30_000);
    // The UPF's capacity grows with its replicas: the exporter serves what the replicas running carry.
    let perReplica = 200;
    const model = setInterval(() => {
      exporter.rate(
        "nephoran_upf_bytes_total",
        { pod: `${name}-0` },
        (perReplica * (upf()?.desiredReplicas ?? 1) * 1e6) / 8,
      );
    }, 200);
    try {
      await hub.stop();
      // 200 < 300: NotFulfilled, then one step out; 400 holds, and it stays there (capacity needed).
      await eventually(() => (upf()?.desiredReplicas === 2 ? true : undefined), 30_000);
      const [did] = agent.store.remediations(rid);
      expect(did).toMatchObject({ nf: "upf", replicas: 2, asked: 1, actions: 1 });
      expect(did?.reason).toMatch(
        /^throughput_mbps \d+(\.\d+)?, expected > 300 \(not fulfilled since .*\): upf scaled out to 2$/,
      );
      await eventually(
        () => (agent.store.expectations(rid)[0]?.status.state === "Fulfilled" ? true : undefined),
        30_000,
      );
      await new Promise((res) => setTimeout(res, 5_000));
      expect(upf()?.desiredReplicas).toBe(2);
      expect(agent.store.remediations(rid)[0]?.actions).toBe(1);

      // The hub hears of it when it is back: the site's view and the audit say what was done and why.
      hub = await startHub(broker.hubSync(), dataDir);
      const seen = await eventually(async () => {
        const site = (await api(hub, "GET", `/v1/sites/${SITE}`)).json["intents"] as {
          intentId: string;
          remediations?: { nf: string; replicas: number }[];
        }[];
        return site.find((i) => i.intentId === rid && i.remediations?.[0]?.replicas === 2);
      }, 30_000);
      expect(seen.remediations?.[0]).toMatchObject({ nf: "upf", replicas: 2 });
      const audit = await eventually(async () => {
        const items = (await api(hub, "GET", "/v1/audit?limit=200")).json["items"] as {
          actor: string;
          action: string;
          target: string;
        }[];
        return items.find((a) => a.action === "assurance.remediate" && a.target === rid);
      }, 30_000);
      expect(audit.actor).toBe(`site:${SITE}`);

      // Each replica now carries 700: one would hold the 300 asked, so after the scale-back time it goes back.
      perReplica = 700;
      await eventually(() => (upf()?.desiredReplicas === 1 ? true : undefined), 40_000);
      expect(agent.store.remediations(rid)[0]).toMatchObject({ replicas: 1, asked: 1, actions: 2 });
      expect(agent.store.remediations(rid)[0]?.reason).toMatch(
        /room to spare: back to the 1 the intent asks/,
      );
    } finally {
      clearInterval(model);
    }
  }, 180_000);
});
