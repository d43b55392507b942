/** Fault tests of the agent against the real API server: kill -9, an unreachable API, a reboot. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { Agent } from "@nephoran/agent";
import { AgentStore, KubernetesTarget } from "@nephoran/agent";
import { Catalog, refKey, refOf, renderSite, systemClock } from "@nephoran/shared";
import { eventually, makeAgent, planOf, uniqueSite } from "../harness/agent";
import { spawnNephoran } from "../harness/process";
import { TcpProxy } from "../harness/proxy";

const kubeconfig = inject("kubeconfig");
const catalog = new Catalog();

/** What the cluster should hold for the store's intents, and what it holds. */
async function expectedAndActual(site: string, dataDir: string) {
  const store = AgentStore.open(join(dataDir, "agent.db"), { site, clock: systemClock });
  try {
    const intents = store.listIntents();
    const expected = renderSite(
      intents.map((i) => ({ id: i.id, revision: i.revision, plan: i.plan })),
      { catalog, site },
    )
      .objects.map((o) => refKey(refOf(o)))
      .sort();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig as string);
    const actual = (await new KubernetesTarget(kc, site).listManaged()).map((o) => refKey(refOf(o))).sort();
    return { expected, actual, integrity: store.integrity(), phases: intents.map((i) => i.phase) };
  } finally {
    store.close();
  }
}

/** Waits until the cluster holds exactly what the store's intents render to. */
async function converged(site: string, dataDir: string, ms = 30_000) {
  return eventually(
    async () => {
      const s = await expectedAndActual(site, dataDir);
      return s.actual.length > 0 && JSON.stringify(s.expected) === JSON.stringify(s.actual) ? s : undefined;
    },
    ms,
    300,
  );
}

function seed(site: string, dataDir: string, ids: readonly number[], remove: readonly number[] = []): void {
  const store = AgentStore.open(join(dataDir, "agent.db"), { site, clock: systemClock });
  try {
    for (const i of ids)
      store.upsertIntent({
        id: `${site}-i${i}`,
        name: `i${i}`,
        plan: planOf(i % 2 ? "Deploy AMF and SMF" : "Deploy a UPF and an NRF"),
        revision: 1,
        priority: "medium",
        origin: "hub",
      });
    for (const i of remove) store.removeIntent(`${site}-i${i}`);
  } finally {
    store.close();
  }
}

const agentArgs = (site: string, dataDir: string, kc: string) => [
  "agent",
  "--site",
  site,
  "--kubeconfig",
  kc,
  "--data",
  dataDir,
  "--relist",
  "1",
  "--intent-namespace",
  `ni-${site}`,
  "--local-namespaces",
  `ni-${site}`,
  "--log-level",
  "warn",
];

describe.skipIf(!kubeconfig)("agent faults against a real Kubernetes API", () => {
  it("converges after being killed with SIGKILL at random points, with no duplicate and no lost object", async () => {
    const site = uniqueSite("kill");
    const dataDir = mkdtempSync(join(tmpdir(), "nephoran-kill-"));
    seed(site, dataDir, [1, 2, 3, 4]);
    const iterations = Number(process.env["KILL_ITERATIONS"] ?? 12);
    let seedRandom = 7;
    const random = () => (seedRandom = (seedRandom * 48271) % 2147483647) / 2147483647;
    for (let k = 0; k < iterations; k++) {
      // Between kills the store changes: one intent more, an old one gone, so applies and prunes are cut short too.
      seed(site, dataDir, [5 + k], k >= 3 ? [k - 2] : []);
      const child = spawnNephoran(agentArgs(site, dataDir, kubeconfig as string));
      await new Promise((r) => setTimeout(r, 150 + Math.floor(random() * 1200)));
      child.proc.kill("SIGKILL");
      const exit = await child.exited;
      expect(exit.signal).toBe("SIGKILL");
    }
    const child = spawnNephoran(agentArgs(site, dataDir, kubeconfig as string));
    // The store may already match the cluster; wait until this agent runs so it is the one that stops cleanly.
    await child.waitFor("nephoran agent: site");
    try {
      const state = await eventually(
        async () => {
          const s = await expectedAndActual(site, dataDir);
          return s.expected.length > 0 &&
            JSON.stringify(s.expected) === JSON.stringify(s.actual) &&
            s.phases.every((p) => p === "Applied")
            ? s
            : undefined;
        },
        60_000,
        500,
      );
      expect(state.integrity).toBe("ok");
      expect(new Set(state.actual).size).toBe(state.actual.length);
    } finally {
      child.proc.kill("SIGTERM");
      expect((await child.exited).code).toBe(0);
    }
  });

  describe("with the API server out of reach", () => {
    let proxy: TcpProxy;
    let agent: Agent;
    const site = uniqueSite("link");
    afterAll(async () => {
      await agent?.stop();
      await proxy?.stop();
    });

    it("backs off, keeps its state and workloads, and converges when the API returns", async () => {
      const server = new URL(
        readFileSync(kubeconfig as string, "utf8").match(/server: "([^"]+)"/)?.[1] as string,
      );
      proxy = new TcpProxy("127.0.0.1", Number(server.port));
      await proxy.start();
      const dir = mkdtempSync(join(tmpdir(), "nephoran-link-"));
      const viaProxy = join(dir, "kubeconfig");
      writeFileSync(
        viaProxy,
        readFileSync(kubeconfig as string, "utf8").replace(server.origin, `https://127.0.0.1:${proxy.port}`),
      );
      agent = makeAgent({
        site,
        target: { kind: "kubernetes", kubeconfig: viaProxy },
        requestTimeoutSeconds: 2,
        relistSeconds: 1,
        intentNamespace: `ni-${site}`,
        localIntentNamespaces: [`ni-${site}`],
      });
      (agent.loop as unknown as { deps: { options: object } }).deps.options = {
        backoffBaseMs: 100,
        backoffMaxMs: 800,
        relistMs: 1000,
      };
      agent.store.upsertIntent({
        id: `${site}-a`,
        name: "a",
        plan: planOf("Deploy AMF with 2 replicas"),
        revision: 1,
        priority: "medium",
        origin: "hub",
      });
      agent.start();
      await eventually(() => agent.store.getIntent(`${site}-a`)?.phase === "Applied");

      const direct = KubernetesObjectApi.makeApiClient(
        (() => {
          const kc = new KubeConfig();
          kc.loadFromFile(kubeconfig as string);
          return kc;
        })(),
      );
      const amf = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `amf-${site}-a`, namespace: "5g-core" },
      };

      for (const fault of ["cut", "stall"] as const) {
        proxy[fault]();
        const id = `${site}-${fault}`;
        agent.store.upsertIntent({
          id,
          name: id,
          plan: planOf("Deploy an NRF"),
          revision: 1,
          priority: "medium",
          origin: "hub",
        });
        agent.loop.trigger("test");
        // Two failed rounds: seconds alone, longer while every other suite loads the same API server.
        await eventually(() => agent.loop.status().consecutiveFailures >= 2, 60_000);
        expect(agent.loop.status().state).toMatch(/backoff|reconciling/);
        // Nothing was torn down because the API was out of reach, and the store kept everything.
        expect(((await direct.read(amf)) as { spec?: { replicas?: number } }).spec?.replicas).toBe(2);
        expect(agent.store.getIntent(`${site}-a`)?.phase).toBe("Applied");
        expect(agent.store.getIntent(id)?.phase).toBe("Pending");
        proxy.restore();
        await eventually(() => agent.store.getIntent(id)?.phase === "Applied", 30_000);
        await eventually(
          () => agent.loop.status().consecutiveFailures === 0 && agent.loop.status().lastError === null,
          30_000,
        );
      }
    }, 300_000);
  });

  it("restores workloads from its store after a reboot, without any hub", async () => {
    const site = uniqueSite("boot");
    const dataDir = mkdtempSync(join(tmpdir(), "nephoran-boot-"));
    seed(site, dataDir, [1, 2]);
    const first = spawnNephoran(agentArgs(site, dataDir, kubeconfig as string));
    await converged(site, dataDir);
    first.proc.kill("SIGKILL");
    await first.exited;

    // The box comes back with its workloads gone (a reset cluster); only the agent's store remembers.
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig as string);
    const target = new KubernetesTarget(kc, site);
    for (const o of await target.listManaged()) await target.remove(refOf(o));
    expect(await target.listManaged()).toEqual([]);

    const second = spawnNephoran(agentArgs(site, dataDir, kubeconfig as string));
    try {
      await converged(site, dataDir);
    } finally {
      second.proc.kill("SIGTERM");
      await second.exited;
    }
  });
});
