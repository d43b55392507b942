/**
 * The pass applies several objects at once — what workloads read before the workloads — and reports as
 * if it had applied them in order: the target here answers later objects first.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { IntentPlan, K8sObject, ObjectRef } from "@nephoran/shared";
import { Catalog, refKey, refOf, systemClock } from "@nephoran/shared";
import { APPLY_CONCURRENCY } from "../pool";
import { AgentStore } from "../store";
import type { Target } from "../target";
import { TargetError, TargetErrorCode } from "../target";
import { Reconciler } from "./reconciler";

const WORKLOADS = new Set(["Deployment", "StatefulSet"]);

/** A target that answers after a delay that shrinks along the calls, so later calls finish first. */
class ScriptedTarget implements Target {
  readonly kind = "directory";
  readonly observesStatus = false;
  readonly describe = "scripted";
  readonly live = new Map<string, K8sObject>();
  readonly calls: { key: string; kind: string; started: number; ended: number }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Answers per object key, first call first: "reject", "conflict" (409), "down" (no answer). */
  readonly script = new Map<string, ("reject" | "conflict" | "down")[]>();

  async ensureNamespaces(): Promise<void> {}
  async listManaged(): Promise<K8sObject[]> {
    return [...this.live.values()];
  }
  async remove(ref: ObjectRef): Promise<void> {
    this.live.delete(refKey(ref));
  }

  async apply(obj: K8sObject): Promise<void> {
    const key = refKey(refOf(obj));
    const call = { key, kind: obj.kind, started: performance.now(), ended: Infinity };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, Math.max(1, 40 - this.calls.length)));
      const answer = this.script.get(key)?.shift();
      if (answer === "reject") throw new TargetError(TargetErrorCode.Rejected, `refused ${key}`);
      if (answer === "conflict")
        throw new TargetError(TargetErrorCode.Unavailable, `conflict on ${key}`, { status: 409 });
      if (answer === "down") throw new TargetError(TargetErrorCode.Unavailable, `no answer for ${key}`);
      this.live.set(key, obj);
    } finally {
      this.inFlight--;
      call.ended = performance.now();
    }
  }
}

const deploy = (nf: string): IntentPlan => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf, replicas: 1 }],
  priority: "medium",
  source: "rules",
  confidence: 1,
});

const stores: AgentStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setUp(intents: number): { target: ScriptedTarget; reconciler: Reconciler; store: AgentStore } {
  const store = AgentStore.open(join(mkdtempSync(join(tmpdir(), "nephoran-parallel-")), "agent.db"), {
    site: "edge01",
    clock: systemClock,
  });
  stores.push(store);
  const nfs = ["amf", "smf", "upf", "nrf"];
  for (let i = 0; i < intents; i++)
    store.upsertIntent({
      id: `i${String(i).padStart(2, "0")}`,
      name: `i${i}`,
      plan: deploy(nfs[i % nfs.length] as string),
      revision: 1,
      priority: "medium",
      origin: "hub",
      createdAt: new Date(Date.UTC(2026, 10, 30, 10, 0, 0, i)).toISOString(),
    });
  const target = new ScriptedTarget();
  const reconciler = new Reconciler({
    store,
    target,
    catalog: new Catalog(),
    site: "edge01",
    clock: systemClock,
    logger: pino({ level: "silent" }),
  });
  return { target, reconciler, store };
}

describe("parallel apply", () => {
  it("applies several objects at once, bounded, and every workload after what it reads", async () => {
    const { target, reconciler } = setUp(20);
    const r = await reconciler.reconcileOnce();
    expect(r.applied).toBe(60);
    expect(target.maxInFlight).toBeGreaterThan(1);
    expect(target.maxInFlight).toBeLessThanOrEqual(APPLY_CONCURRENCY);
    const lastRead = Math.max(...target.calls.filter((c) => !WORKLOADS.has(c.kind)).map((c) => c.ended));
    const firstWorkload = Math.min(
      ...target.calls.filter((c) => WORKLOADS.has(c.kind)).map((c) => c.started),
    );
    expect(firstWorkload).toBeGreaterThanOrEqual(lastRead);
  });

  it("reports refusals in the rendered order, whatever order the answers came in", async () => {
    const { target, reconciler, store } = setUp(8);
    // Refuse the first and the last intent's ConfigMap: the last one's answer comes first.
    target.script.set("ConfigMap/5g-core/amf-i00-config", ["reject"]);
    target.script.set("ConfigMap/5g-core/nrf-i07-config", ["reject"]);
    const r = await reconciler.reconcileOnce();
    expect(r.rejected).toEqual([
      "refused ConfigMap/5g-core/amf-i00-config",
      "refused ConfigMap/5g-core/nrf-i07-config",
    ]);
    const ended = (key: string) => target.calls.find((c) => c.key === key)?.ended ?? 0;
    expect(ended("ConfigMap/5g-core/nrf-i07-config")).toBeLessThan(ended("ConfigMap/5g-core/amf-i00-config"));
    const phases = new Map(store.listIntents().map((i) => [i.id, i.phase]));
    expect(phases.get("i00")).toBe("Failed");
    expect(phases.get("i07")).toBe("Failed");
    expect(phases.get("i03")).toBe("Applied");
  });

  it("tries an object again when the server answered it could not take it now", async () => {
    const { target, reconciler } = setUp(2);
    target.script.set("Deployment/5g-core/amf-i00", ["conflict", "conflict"]);
    const r = await reconciler.reconcileOnce();
    expect(r.rejected).toEqual([]);
    expect(r.applied).toBe(6);
    expect(target.calls.filter((c) => c.key === "Deployment/5g-core/amf-i00")).toHaveLength(3);
  });

  it("fails the pass when the server does not answer, after every call in flight has settled, and starts no workload", async () => {
    const { target, reconciler } = setUp(6);
    target.script.set("Service/5g-core/smf-i01", ["down"]);
    await expect(reconciler.reconcileOnce()).rejects.toThrow("no answer for Service/5g-core/smf-i01");
    expect(target.inFlight).toBe(0);
    expect(target.calls.filter((c) => c.key === "Service/5g-core/smf-i01")).toHaveLength(1);
    expect(target.calls.some((c) => WORKLOADS.has(c.kind))).toBe(false);
    expect(target.calls.filter((c) => !WORKLOADS.has(c.kind))).toHaveLength(12);
  });
});
