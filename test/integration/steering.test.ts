/**
 * The closed loop on a traffic steering intent: "Apply a traffic steering policy with threshold 40 and keep
 * latency under 5 ms" at a site whose RAN (a DU another intent runs) exports its air latency to a real
 * Prometheus. While the latency falls short the agent lowers the policy's threshold a step — put to the
 * near-RT RIC's A1 interface (a server held to the O-RAN SC A1 mediator's document) — once per cool-down,
 * and raises it back to what the intent asks once the latency has held for the scale-back time.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, AgentConfig } from "@nephoran/agent";
import { A1Mediator, a1ContractMissing } from "../harness/a1";
import { eventually } from "../harness/agent";
import { KpiExporter, Prometheus, prometheusMissing } from "../harness/prometheus";
import { skippedFor } from "../harness/skip";

const missing = prometheusMissing() ?? a1ContractMissing();
skippedFor(missing, "the traffic steering loop suite is");

describe.skipIf(missing !== undefined)("the closed loop on a traffic steering policy", () => {
  const exporter = new KpiExporter();
  let prometheus: Prometheus;
  let ric: A1Mediator;
  let agent: Agent;

  beforeAll(async () => {
    await exporter.start();
    prometheus = await Prometheus.start([`127.0.0.1:${exporter.port}`]);
    ric = new A1Mediator();
    await ric.start();
    const dir = mkdtempSync(join(tmpdir(), "nephoran-agent-steering-"));
    agent = new Agent(
      AgentConfig.parse({
        site: "ts-01",
        dataDir: dir,
        target: { kind: "directory", dir: join(dir, "manifests") },
        relistSeconds: 0.5,
        a1: { url: ric.url, timeoutSeconds: 1 },
        assurance: {
          metrics: prometheus.url,
          intervalSeconds: 1,
          hysteresis: 2,
          window: "5s",
          cooldownSeconds: 3,
          scaleBackSeconds: 4,
        },
        status: false,
      }),
      { logger: pino({ level: "silent" }) },
    );
    agent.start();
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await ric?.stop();
    await prometheus?.stop();
    await exporter.stop();
  });

  it("steers sooner while the RAN's latency falls short, and back to what was asked once it holds", async () => {
    const du = await agent.addLocalIntent("Deploy a DU");
    const name = await eventually(() => agent.store.nfStatus(du.id).find((s) => s.nf === "du")?.name, 20_000);
    const { id } = await agent.addLocalIntent(
      "Apply a traffic steering policy with threshold 40 and keep latency under 5 ms",
    );
    const plan = agent.store.getIntent(id)?.plan;
    expect(plan?.assurance).toEqual({ remediate: true });
    expect(plan?.expectations).toEqual([{ target: "latency_ms", condition: "IS_LESS_THAN", value: 5 }]);
    const threshold = () => {
      const [body] = [...ric.instances.values()] as { threshold: number }[];
      return body?.threshold;
    };
    await eventually(() => (threshold() === 40 ? true : undefined), 20_000);

    // The DU's air latency as the steering leaves it: 9 ms while more than 30 % load stays on the cell.
    let congested = true;
    const model = setInterval(() => {
      const t = threshold() ?? 100;
      exporter.latency(
        "nephoran_ran_air_latency_seconds",
        { pod: `${name}-0` },
        congested && t > 30 ? 0.009 : 0.003,
      );
    }, 200);
    try {
      // Measured on the DU (the RAN the policy steers), NotFulfilled, then one step: 40 → 30, put to the RIC.
      await eventually(() => (threshold() === 30 ? true : undefined), 40_000);
      const [step] = agent.store.remediations(id);
      expect(step).toMatchObject({ nf: "near-rt-ric", threshold: 30, asked: 40, actions: 1 });
      expect(step?.reason).toMatch(
        /^latency_ms \d+(\.\d+)? on du, expected < 5 \(not fulfilled since .*\): traffic steered at 30% load instead of 40%$/,
      );
      // 3 ms at 30 %: Fulfilled, and it stays at 30 (the cause holds; the scale-back needs the time to pass).
      await eventually(
        () => (agent.store.expectations(id)[0]?.status.state === "Fulfilled" ? true : undefined),
        30_000,
      );
      expect(agent.store.expectations(id)[0]?.status).toMatchObject({ nf: "du" });
      expect(threshold()).toBe(30);
      expect(agent.store.getIntent(id)?.conditions.find((c) => c.type === "Ready")?.reason).toBe("Enforced");

      // The congestion passes: latency holds at any threshold, so after the scale-back time it goes back up.
      congested = false;
      await eventually(() => (threshold() === 40 ? true : undefined), 40_000);
      expect(agent.store.remediations(id)[0]).toMatchObject({ threshold: 40, asked: 40, actions: 2 });
      expect(agent.store.remediations(id)[0]?.reason).toMatch(
        /threshold back up to 40% \(the intent asks 40%\)/,
      );
      // Never below the floor nor past what was asked, and nothing the A1 document does not allow.
      const puts = ric.requests
        .filter((r) => r.method === "PUT")
        .map((r) => (r.body as { threshold: number }).threshold);
      expect(puts).toEqual([40, 30, 40]);
      expect(ric.violations).toEqual([]);
    } finally {
      clearInterval(model);
    }
  }, 150_000);
});
