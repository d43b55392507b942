/** One intent's trouble stays its own: a configure touching more instances than a report lists stalls nothing. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { IntentPlan } from "@nephoran/shared";
import { MAX_REPORTED_NFS, SiteIntentReport } from "@nephoran/shared";
import { Agent } from "../agent";
import { AgentConfig } from "../config";

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop().catch(() => undefined);
});

const plan = (p: Partial<IntentPlan> & Pick<IntentPlan, "intentType" | "actions">): IntentPlan => ({
  priority: "medium",
  source: "rules",
  confidence: 1,
  ...p,
});

describe("per-intent isolation in the reconcile pass", () => {
  it("converges every intent when one configure touches 70 instances, and reports them within the limit", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nephoran-isolation-"));
    const agent = new Agent(
      AgentConfig.parse({
        site: "edge-iso",
        dataDir,
        target: { kind: "directory", dir: join(dataDir, "manifests") },
        knowledge: { model: "hashing" },
      }),
      { logger: pino({ level: "silent" }) },
    );
    agents.push(agent);
    // Intents fold in creation order: each gets its own instant, so the configure comes after every deploy.
    let n = 0;
    const put = (id: string, p: IntentPlan) =>
      agent.store.upsertIntent({
        id,
        name: id,
        plan: p,
        revision: 1,
        priority: "medium",
        origin: "hub",
        createdAt: new Date(Date.UTC(2026, 10, 29, 10, 0, 0, ++n)).toISOString(),
      });
    for (let i = 0; i < 70; i++)
      put(
        `upf-${i}`,
        plan({ intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "upf", replicas: 1 }] }),
      );
    put(
      "configure-upf",
      plan({
        intentType: "nf.configure",
        actions: [{ kind: "configure", nf: "upf", params: { mtu: 9000 } }],
      }),
    );
    put("amf", plan({ intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: 1 }] }));

    const result = await agent.reconcileOnce();
    expect(result.rejected).toEqual([]);
    const phases = new Map(agent.store.listIntents().map((i) => [i.id, i.phase]));
    expect(phases.get("amf")).not.toBe("Pending");
    expect(phases.get("configure-upf")).toBe(phases.get("amf"));
    const kept = agent.store.nfStatus("configure-upf");
    expect(kept, JSON.stringify(result)).toHaveLength(70); // the site keeps every instance

    const reports = agent.store
      .peekOutbox(10_000)
      .map((m) => m.report)
      .filter((r) => r.intentId === "configure-upf");
    const last = reports[reports.length - 1];
    expect(last?.nfStatus).toHaveLength(MAX_REPORTED_NFS);
    expect(last?.nfCount).toBe(70);
    expect(SiteIntentReport.safeParse(last).success).toBe(true);
  });
});
