import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import type { Agent } from "@nephoran/agent";
import { eventually, makeAgent, planOf, uniqueSite } from "../harness/agent";
import { markPodsReady } from "../harness/kubelet";

const kubeconfig = inject("kubeconfig");

describe.skipIf(!kubeconfig)("agent against a real Kubernetes API", () => {
  const site = uniqueSite();
  let agent: Agent;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const selector = `nephoran.io/site=${site}`;

  beforeAll(() => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig as string);
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    agent = makeAgent({
      site,
      target: { kind: "kubernetes", kubeconfig: kubeconfig as string },
      intentNamespace: `ni-${site}`,
      localIntentNamespaces: [`ni-${site}`],
    });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  const store = (id: string, text: string, revision = 1) =>
    agent.store.upsertIntent({
      id,
      name: id,
      text,
      plan: planOf(text),
      revision,
      priority: "medium",
      origin: "hub",
    });
  const ni = {
    get: async (name: string) =>
      (await custom.getNamespacedCustomObject({
        group: "nephoran.io",
        version: "v1alpha1",
        namespace: `ni-${site}`,
        plural: "networkintents",
        name,
      })) as {
        status?: { phase?: string; message?: string; conditions?: { type: string; status: string }[] };
      },
    create: (name: string, spec: Record<string, unknown>) =>
      custom.createNamespacedCustomObject({
        group: "nephoran.io",
        version: "v1alpha1",
        namespace: `ni-${site}`,
        plural: "networkintents",
        body: { apiVersion: "nephoran.io/v1alpha1", kind: "NetworkIntent", metadata: { name }, spec },
      }),
  };
  const deployments = async () =>
    (await apps.listDeploymentForAllNamespaces({ labelSelector: selector })).items;

  it("turns intents into Deployments, Services and ConfigMaps with the catalog's ports", async () => {
    store(`${site}-core`, "Deploy 2 AMF and a UPF with 4 cores");
    const r = await agent.reconcileOnce();
    expect(r.applied).toBe(6);
    const deps = await deployments();
    expect(deps.map((d) => `${d.metadata?.name}:${d.spec?.replicas}`).sort()).toEqual([
      `amf-${site}-core:2`,
      `upf-${site}-core:1`,
    ]);
    const upf = deps.find((d) => d.metadata?.labels?.["nephoran.io/nf"] === "upf");
    expect(upf?.spec?.template.spec?.containers[0]?.resources?.requests?.["cpu"]).toBe("4");
    expect(upf?.spec?.template.spec?.containers[0]?.securityContext?.capabilities?.add).toEqual([
      "NET_ADMIN",
    ]);
    const amfSvc = await core.readNamespacedService({ name: `amf-${site}-core`, namespace: "5g-core" });
    expect(amfSvc.spec?.ports?.find((p) => p.name === "n2")).toMatchObject({ port: 38412, protocol: "SCTP" });
    const cm = await core.readNamespacedConfigMap({ name: `amf-${site}-core-config`, namespace: "5g-core" });
    expect(JSON.parse(cm.data?.["nf.json"] ?? "{}")).toMatchObject({
      nf: "amf",
      site,
      intent: `${site}-core`,
    });
    expect(agent.store.getIntent(`${site}-core`)?.phase).toBe("Applied");
  });

  it("changes nothing on a second pass", async () => {
    const r = await agent.reconcileOnce();
    expect(r).toMatchObject({ applied: 0, pruned: 0 });
  });

  it("reads readiness back: Ready once the pods are ready", async () => {
    expect(
      agent.store
        .nfStatus(`${site}-core`)
        .map((s) => `${s.name} ${s.readyReplicas}/${s.desiredReplicas}`)
        .sort(),
    ).toEqual([`amf-${site}-core 0/2`, `upf-${site}-core 0/1`]);
    await eventually(
      async () =>
        (await markPodsReady(kubeconfig as string, selector)) === 0 &&
        (await core.listPodForAllNamespaces({ labelSelector: selector })).items.length === 3,
    );
    await eventually(async () => {
      await agent.reconcileOnce();
      return agent.store.getIntent(`${site}-core`)?.phase === "Ready";
    });
    expect(agent.store.nfStatus(`${site}-core`).every((s) => s.ready)).toBe(true);
    expect(agent.store.history(`${site}-core`).map((h) => h.to)).toEqual(["Pending", "Applied", "Ready"]);
  });

  it("reverts drift: a managed Deployment scaled by hand is scaled back by the running loop", async () => {
    agent.start();
    await apps.patchNamespacedDeployment(
      { name: `amf-${site}-core`, namespace: "5g-core", body: { spec: { replicas: 7 } } },
      (await import("@kubernetes/client-node")).setHeaderOptions(
        "Content-Type",
        "application/merge-patch+json",
      ),
    );
    await eventually(
      async () =>
        (await apps.readNamespacedDeployment({ name: `amf-${site}-core`, namespace: "5g-core" })).spec
          ?.replicas === 2,
      15_000,
    );
  });

  it("applies a later scale intent to the NF an earlier intent deployed", async () => {
    store(`${site}-scale`, "scale UPF to 3 replicas");
    agent.loop.trigger("test");
    await eventually(
      async () =>
        (await apps.readNamespacedDeployment({ name: `upf-${site}-core`, namespace: "5g-core" })).spec
          ?.replicas === 3,
    );
  });

  it("prunes what no intent wants any more", async () => {
    agent.store.removeIntent(`${site}-scale`);
    agent.store.removeIntent(`${site}-core`);
    agent.loop.trigger("test");
    await eventually(async () => (await deployments()).length === 0);
    await eventually(
      async () => (await core.listServiceForAllNamespaces({ labelSelector: selector })).items.length === 0,
    );
    await eventually(
      async () => (await core.listConfigMapForAllNamespaces({ labelSelector: selector })).items.length === 0,
    );
  });

  it("mirrors intents as NetworkIntents with phase and conditions", async () => {
    store(`${site}-ric`, "Deploy a near-RT RIC");
    agent.loop.trigger("test");
    const o = await eventually(async () => {
      const x = await ni.get(`${site}-ric`);
      return x.status?.phase === "Applied" ? x : undefined;
    });
    expect(o.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "Planned=True",
      "Applied=True",
      "Ready=False",
    ]);
    const sts = await apps.readNamespacedStatefulSet({ name: `near-rt-ric-${site}-ric`, namespace: "ric" });
    expect(sts.spec?.replicas).toBe(1);
  });

  it("picks up a NetworkIntent created with kubectl, plans it offline and applies it", async () => {
    await ni.create("test-deployment-intent", {
      intent: "Deploy a basic AMF instance for testing",
      priority: "medium",
    });
    const dep = await eventually(async () =>
      (await deployments()).find((d) => d.metadata?.labels?.["nephoran.io/nf"] === "amf"),
    );
    expect(dep.metadata?.labels?.["nephoran.io/intent"]).toBe(`ni-ni-${site}-test-deployment-intent`);
    await eventually(async () => (await ni.get("test-deployment-intent")).status?.phase === "Applied");
  });

  it("reports a NetworkIntent it cannot plan as Failed with the reason", async () => {
    await ni.create("bad", { intent: "Deploy 50 AMF" });
    const o = await eventually(async () => {
      const x = await ni.get("bad");
      return x.status?.phase === "Failed" ? x : undefined;
    });
    expect(o.status?.message).toContain("replicas.range");
  });
});

describe.skipIf(!kubeconfig)("an A1 policy against a real Kubernetes API", () => {
  const site = uniqueSite();
  let agent: Agent;
  afterAll(async () => {
    await agent?.stop();
  });

  it("is Applied, not Ready, while no near-RT RIC is ready at the site; Ready once one is", async () => {
    // No NetworkIntent mirror: the cluster is shared with the suite above, whose NetworkIntents are its own.
    agent = makeAgent({ site, crd: false, target: { kind: "kubernetes", kubeconfig: kubeconfig as string } });
    const put = (id: string, text: string) =>
      agent.store.upsertIntent({
        id,
        name: id,
        text,
        plan: planOf(text),
        revision: 1,
        priority: "medium",
        origin: "hub",
      });
    put(`${site}-policy`, "apply a traffic steering policy with threshold 75%");
    await agent.reconcileOnce();
    const waiting = agent.store.getIntent(`${site}-policy`);
    expect(waiting?.phase).toBe("Applied");
    expect(waiting?.conditions.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "NoRic",
      message: expect.stringContaining("no near-RT RIC is ready") as unknown,
    });

    // A RIC deployed but not yet running is not enough.
    put(`${site}-ric`, "deploy the near-RT RIC");
    await agent.reconcileOnce();
    expect(agent.store.getIntent(`${site}-policy`)?.phase).toBe("Applied");

    const selector = `nephoran.io/site=${site}`;
    const core = (() => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfig as string);
      return kc.makeApiClient(CoreV1Api);
    })();
    // The StatefulSet controller makes the RIC's pod; the kubelet stand-in runs it. Slow on a loaded machine.
    await eventually(
      async () =>
        (await markPodsReady(kubeconfig as string, selector)) === 0 &&
        (await core.listPodForAllNamespaces({ labelSelector: selector })).items.length === 1,
      90_000,
      250,
    );
    await eventually(async () => {
      await agent.reconcileOnce();
      return agent.store.getIntent(`${site}-policy`)?.phase === "Ready";
    }, 30_000);
    expect(agent.store.getIntent(`${site}-ric`)?.phase).toBe("Ready");
  }, 180_000);
});
