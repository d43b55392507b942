/**
 * The whole product, end to end, on each transport (NATS, and the hub's embedded MQTT broker): a hub and
 * three edge sites, each with its own Kubernetes API server. Every site is bootstrapped by the bootstrap
 * script (enrollment, Secret, RBAC, CRD, Deployment); its agent then runs as the edge bundle with the
 * credentials from that Secret, its link to the broker through a proxy the test can cut. A fleet intent for
 * two of them by label lands on exactly those two; with one site cut off, a change reaches the other; back
 * online, the cut-off site converges and the hub's rollup ends Ready on both. The agent's status endpoint
 * serves the field engineer throughout: status, a local intent (reported to the hub), a knowledge search.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import type { Hub } from "@nephoran/hub";
import { eventually } from "../harness/agent";
import { enrollmentSecret, runBootstrap } from "../harness/bootstrap";
import type { Broker } from "../harness/brokers";
import { NatsBroker, brokersInstalled } from "../harness/brokers";
import type { KubeEnv } from "../harness/kube";
import { kubeBinaries, startKube } from "../harness/kube";
import { markPodsReady } from "../harness/kubelet";
import { freePort } from "../harness/ports";
import type { Child } from "../harness/process";
import { spawnEdgeAgent } from "../harness/process";
import { TcpProxy } from "../harness/proxy";
import { api, startHub } from "../harness/sync";

const built = Boolean(await kubeBinaries());
if (!built) {
  const msg =
    "the Kubernetes API server is not built: run `bash scripts/test-env/kube.sh build` (test.sh does)";
  if (process.env["CI"]) throw new Error(`${msg}; CI must run the end-to-end suite`);
  console.warn(`\n!!! SKIPPING the end-to-end suite: ${msg}\n`);
}
if (!brokersInstalled()) {
  const msg = "nats-server is not installed (scripts/test-env/brokers.sh install)";
  if (process.env["CI"]) throw new Error(`${msg}; CI must run the end-to-end suite`);
  console.warn(`\n!!! SKIPPING the NATS end-to-end run: ${msg}\n`);
}

const clusters: KubeEnv[] = [];
let kubelet: Promise<void> | undefined;
let running = true;

beforeAll(async () => {
  if (!built) return;
  // One after another: each takes its ports only once the one before holds its own.
  for (let i = 0; i < 3; i++) clusters.push(await startKube());
  // The kubelet stand-in: every pod on the three clusters runs and is ready (there are no nodes).
  kubelet = (async () => {
    while (running) {
      for (const c of clusters) await markPodsReady(c.kubeconfig, "app.kubernetes.io/name").catch(() => 0);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
}, 600_000);
afterAll(async () => {
  running = false;
  await kubelet;
  await Promise.all(clusters.map((c) => c.stop()));
}, 120_000);

interface Site {
  readonly name: string;
  readonly cluster: KubeEnv;
  readonly apps: AppsV1Api;
  readonly proxy: TcpProxy;
  readonly agent: Child;
  readonly status: string;
  readonly statusToken: string;
}

describe.each(["nats", "embedded"] as const)("edge lifecycle over %s", (transport) => {
  const skip = !built || (transport === "nats" && !brokersInstalled());
  let broker: Broker | undefined;
  let hub: Hub;
  const sites: Site[] = [];

  beforeAll(async () => {
    if (skip) return;
    if (transport === "nats") broker = await new NatsBroker().start();
    hub = await startHub(broker ? broker.hubSync() : { transport: "embedded", port: 0 }, undefined, 2);
    const labels = ["tier=gold", "tier=gold", "tier=silver"];
    for (const [i, cluster] of clusters.entries()) {
      const name = `${transport.slice(0, 4)}-site-${"abc"[i]}`;
      const namespace = `nephoran-${transport}`;
      const token = await api(hub, "POST", "/v1/enrollment-tokens", { site: name, labels: { region: "eu" } });
      expect(token.status).toBe(201);
      const boot = await runBootstrap(
        [
          "--site",
          name,
          "--hub",
          hub.url,
          "--token",
          String(token.json["token"]),
          "--namespace",
          namespace,
        ].concat(["--labels", labels[i] as string, "--wait", "240"]),
        cluster.kubeconfig,
      );
      expect(boot.code, boot.stderr + boot.stdout).toBe(0);
      // The agent, run here as the edge bundle with what the Deployment would mount: the Secret's
      // enrollment (its broker address pointed at a proxy the test can cut) and its status token.
      const secret = await enrollmentSecret(cluster.kubeconfig, namespace);
      if (!secret) throw new Error(`no enrollment secret for ${name}`);
      const sync = secret.enrollment["sync"] as { url: string };
      const u = new URL(sync.url);
      const proxy = new TcpProxy(u.hostname, Number(u.port));
      await proxy.start();
      u.host = `127.0.0.1:${proxy.port}`;
      const dir = mkdtempSync(join(tmpdir(), `nephoran-e2e-${name}-`));
      const enrollment = join(dir, "enrollment.json");
      writeFileSync(
        enrollment,
        JSON.stringify({ ...secret.enrollment, sync: { ...sync, url: u.toString().replace(/\/$/, "") } }),
        { mode: 0o600 },
      );
      const port = await freePort();
      const agent = spawnEdgeAgent(
        [
          "agent",
          "--enrollment",
          enrollment,
          "--data",
          join(dir, "data"),
          "--kubeconfig",
          cluster.kubeconfig,
        ].concat([
          "--status-listen",
          String(port),
          "--heartbeat",
          "1",
          "--relist",
          "2",
          "--model",
          "hashing",
        ]),
        { NEPHORAN_STATUS_TOKEN: secret.statusToken },
      );
      await agent.waitFor("status at http://127.0.0.1:", 30_000);
      const kc = new KubeConfig();
      kc.loadFromFile(cluster.kubeconfig);
      sites.push({
        name,
        cluster,
        apps: kc.makeApiClient(AppsV1Api),
        proxy,
        agent,
        status: `http://127.0.0.1:${port}`,
        statusToken: secret.statusToken,
      });
    }
  }, 600_000);

  afterAll(async () => {
    for (const s of sites) {
      s.agent.proc.kill("SIGTERM");
      await s.agent.exited;
      await s.proxy.stop();
    }
    await hub?.stop();
    await broker?.stop();
  }, 120_000);

  const replicasOf = async (s: Site, intentId: string): Promise<number[]> =>
    (
      await s.apps.listDeploymentForAllNamespaces({ labelSelector: `nephoran.io/intent=${intentId}` })
    ).items.map((d) => d.spec?.replicas ?? -1);
  const statusOf = async (s: Site, path = "/status", init: RequestInit = {}) => {
    const r = await fetch(`${s.status}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${s.statusToken}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const rollup = async (id: string) =>
    (await api(hub, "GET", `/v1/intents/${id}`)).json["rollup"] as {
      revision: number;
      counts: Record<string, number>;
      targetedSites: number;
      worst: string | null;
    };

  it.skipIf(skip)(
    "lands a fleet intent on exactly the labelled sites, follows a change through a cut link, and ends Ready",
    async () => {
      const [a, b, c] = sites as [Site, Site, Site];
      for (const s of sites)
        await eventually(
          async () =>
            (await statusOf(s)).json["hub"] &&
            ((await statusOf(s)).json["hub"] as { connected: boolean }).connected,
          60_000,
          200,
        );

      const created = await api(hub, "POST", "/v1/intents", {
        text: "Deploy a basic AMF instance for testing",
        siteSelector: { matchLabels: { tier: "gold" } },
      });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const id = String(created.json["id"]);
      await eventually(
        async () => (await replicasOf(a, id)).length === 1 && (await replicasOf(b, id)).length === 1,
        90_000,
        250,
      );
      expect(await replicasOf(c, id)).toEqual([]);
      await eventually(async () => (await rollup(id)).counts["Ready"] === 2, 180_000, 250);
      expect(await rollup(id)).toMatchObject({ targetedSites: 2, worst: "Ready" });

      // Site b is cut off; the change reaches a, and only a.
      b.proxy.cut();
      const changed = await api(
        hub,
        "PATCH",
        `/v1/intents/${id}`,
        { text: "Deploy AMF with 3 replicas" },
        { "if-match": '"1"' },
      );
      expect(changed.status, JSON.stringify(changed.json)).toBe(200);
      await eventually(async () => (await replicasOf(a, id))[0] === 3, 180_000, 250);
      expect(await replicasOf(b, id)).toEqual([1]);
      // Meanwhile b runs on its store: its workloads stay, its status page says the link is down.
      await eventually(
        async () => !((await statusOf(b)).json["hub"] as { connected: boolean }).connected,
        60_000,
        250,
      );

      // Back online, b converges and the rollup ends Ready on both at revision 2.
      b.proxy.restore();
      await eventually(async () => (await replicasOf(b, id))[0] === 3, 180_000, 250);
      await eventually(
        async () => {
          const r = await rollup(id);
          return r.revision === 2 && r.counts["Ready"] === 2;
        },
        120_000,
        250,
      );
      expect(await replicasOf(c, id)).toEqual([]);

      // The field engineer's door at b: the intent at revision 2, Ready, with its NF ready.
      const s = await statusOf(b);
      expect(s.json).toMatchObject({
        site: b.name,
        hub: { connected: true },
        desiredVersion: expect.any(Number),
      });
      expect(s.json["intents"]).toEqual([
        expect.objectContaining({
          id,
          revision: 2,
          phase: "Ready",
          nfs: [expect.objectContaining({ nf: "amf", ready: true, desiredReplicas: 3 })],
        }),
      ]);
      expect((await fetch(`${b.status}/status`)).status).toBe(401);
    },
    600_000,
  );

  it.skipIf(skip)(
    "takes a local intent at a site and reports it to the hub; searches the site's knowledge",
    async () => {
      const c = sites[2] as Site;
      const local = await statusOf(c, "/v1/intents", {
        method: "POST",
        body: JSON.stringify({ text: "Deploy an E2 simulator for testing" }),
      });
      expect(local.status, JSON.stringify(local.json)).toBe(201);
      const localId = String(local.json["id"]);
      await eventually(
        async () => {
          const site = (await api(hub, "GET", `/v1/sites/${c.name}`)).json as {
            localIntents: { intentId: string; phase: string }[];
          };
          return site.localIntents.some((i) => i.intentId === localId && i.phase === "Ready");
        },
        90_000,
        250,
      );
      const hits = await statusOf(
        c,
        `/v1/search?q=${encodeURIComponent("which function terminates the N3 user plane tunnel")}&k=3`,
      );
      expect(hits.status, JSON.stringify(hits.json)).toBe(200);
      expect((hits.json["hits"] as { text: string }[])[0]?.text).toMatch(/UPF|user plane function/i);
      expect(((await statusOf(c)).json["knowledge"] as { state: string }).state).toBe("ready");
    },
    300_000,
  );
});
