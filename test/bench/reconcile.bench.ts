/**
 * Reconcile benchmark against a real API server (started here): time from storing 100 NF intents to
 * all Applied, beside `kubectl apply --server-side` of the same rendered manifests (written by the
 * directory target) on the same server in the same run; then the agent binary's CPU per idle minute
 * and RSS. Last line: one JSON object.
 * Usage: pnpm bench:reconcile [idleSeconds]
 */
import "../harness/bench-tmp";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AgentStore, DirectoryTarget } from "@nephoran/agent";
import { Catalog, renderSite, systemClock } from "@nephoran/shared";
import { eventually, makeAgent, planOf, uniqueSite } from "../harness/agent";
import { kubeBinaries, startKube } from "../harness/kube";
import { processStats, spawnNephoran } from "../harness/process";

const idleSeconds = Number(process.argv[2] ?? 60);
const INTENTS = 100;
const nfs = new Catalog()
  .list()
  .filter((s) => s.maxReplicas >= 1)
  .map((s) => s.id);

if (!(await kubeBinaries()))
  throw new Error("the API server is not built: run `bash scripts/test-env/kube.sh build`");
const kube = await startKube();
const run = promisify(execFile);
const kubectl = (...args: string[]) => run("kubectl", ["--kubeconfig", kube.kubeconfig, ...args]);

/**
 * kubectl applying the same 300 objects (another site's intents, so the names differ) from the files the
 * directory target writes; namespaces exist beforehand, outside the time. The objects are deleted after,
 * so the API server holds the same as before (its service range is small).
 */
async function kubectlApply(plans: ReturnType<typeof planOf>[]): Promise<{ ms: number; objects: number }> {
  const site = uniqueSite("kubectl");
  const { objects } = renderSite(
    plans.map((plan, i) => ({ id: `${site}-${i}`, revision: 1, plan })),
    { catalog: new Catalog(), site },
  );
  const dir = mkdtempSync(join(tmpdir(), "nephoran-kubectl-"));
  const target = new DirectoryTarget(dir);
  for (const o of objects) await target.apply(o);
  for (const ns of new Set(objects.map((o) => o.metadata.namespace ?? "default")))
    await kubectl("create", "namespace", ns).catch(() => undefined); // already there: fine
  const t0 = performance.now();
  await kubectl("apply", "--server-side", "--field-manager", "bench-kubectl", "-R", "-f", dir);
  const ms = performance.now() - t0;
  await kubectl("delete", "-R", "-f", dir, "--wait=false");
  rmSync(dir, { recursive: true, force: true });
  return { ms, objects: objects.length };
}

try {
  // 1. Time to apply 100 intents (one NF each, 300 objects) with the agent running.
  const site = uniqueSite("bench");
  const agent = makeAgent({
    site,
    target: { kind: "kubernetes", kubeconfig: kube.kubeconfig },
    relistSeconds: 30,
    intentNamespace: `ni-${site}`,
    localIntentNamespaces: [`ni-${site}`],
  });
  agent.start();
  await eventually(() => agent.loop.status().lastSuccessAt !== null, 30_000);
  const plans = Array.from({ length: INTENTS }, (_, i) => planOf(`Deploy the ${nfs[i % nfs.length]}`));
  const peer = await kubectlApply(plans);
  const t0 = performance.now();
  plans.forEach((plan, i) =>
    agent.store.upsertIntent({
      id: `${site}-${i}`,
      name: `i${i}`,
      plan,
      revision: 1,
      priority: "medium",
      origin: "hub",
    }),
  );
  agent.loop.trigger("bench");
  await eventually(
    () => agent.store.listIntents().every((i) => i.phase === "Applied" || i.phase === "Ready"),
    300_000,
    20,
  );
  const applyMs = performance.now() - t0;
  const objects = (await agent.target.listManaged()).length;
  await agent.stop();

  // 2. The real agent binary on the same 100 intents, idle: CPU per minute and RSS.
  const site2 = uniqueSite("idle");
  const dataDir = mkdtempSync(join(tmpdir(), "nephoran-bench-"));
  const store = AgentStore.open(join(dataDir, "agent.db"), { site: site2, clock: systemClock });
  plans.forEach((plan, i) =>
    store.upsertIntent({
      id: `${site2}-${i}`,
      name: `i${i}`,
      plan,
      revision: 1,
      priority: "medium",
      origin: "hub",
    }),
  );
  store.close();
  const child = spawnNephoran([
    "agent",
    "--site",
    site2,
    "--kubeconfig",
    kube.kubeconfig,
    "--data",
    dataDir,
    "--intent-namespace",
    `ni-${site2}`,
    "--local-namespaces",
    `ni-${site2}`,
    "--log-level",
    "warn",
  ]);
  const pid = child.proc.pid as number;
  const ticks = () => processStats(pid).cpuSeconds * 100; // clock ticks (100/s)
  const rssMb = () => processStats(pid).rssMb;
  const converged = AgentStore.open(join(dataDir, "agent.db"), { site: site2, clock: systemClock });
  const s0 = performance.now();
  await eventually(() => converged.listIntents().every((i) => i.phase === "Applied"), 300_000, 50);
  const startToAppliedMs = performance.now() - s0;
  converged.close();
  // Let the aftermath of applying settle (controllers observing new workloads): wait for 10 quiet seconds.
  for (let quiet = 0, last = ticks(), waited = 0; quiet < 10 && waited < 120; waited++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = ticks();
    quiet = now - last <= 1 ? quiet + 1 : 0;
    last = now;
  }
  const c0 = ticks();
  const w0 = performance.now();
  let peakRss = 0;
  while (performance.now() - w0 < idleSeconds * 1000) {
    peakRss = Math.max(peakRss, rssMb());
    await new Promise((r) => setTimeout(r, 1000));
  }
  const cpuSecondsPerIdleMinute = ((ticks() - c0) / 100) * (60_000 / (performance.now() - w0));
  const idleRss = rssMb();
  child.proc.kill("SIGTERM");
  await child.exited;

  const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  console.log(
    `applied ${INTENTS} intents (${objects} objects) in ${round(applyMs)} ms; kubectl ${round(peer.ms)} ms; idle window ${idleSeconds} s`,
  );
  console.log(
    JSON.stringify({
      bench: "reconcile",
      intents: INTENTS,
      objects,
      storeToAllAppliedMs: round(applyMs),
      kubectlServerSideApplyMs: round(peer.ms),
      kubectlObjects: peer.objects,
      agentToKubectl: round(applyMs / peer.ms, 2),
      agentStartToAllAppliedMs: round(startToAppliedMs),
      idleWindowSeconds: idleSeconds,
      cpuSecondsPerIdleMinute: round(cpuSecondsPerIdleMinute, 3),
      agentIdleRssMb: round(idleRss),
      agentPeakIdleRssMb: round(peakRss),
      relistSeconds: 30,
      apiServer: "kube-apiserver v1.20.2 (Debian source build), 127.0.0.1",
      node: process.version,
    }),
  );
} finally {
  await kube.stop();
}
