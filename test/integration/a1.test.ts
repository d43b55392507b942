/**
 * A1 policies on the near-RT RIC: an agent puts its intents' A1 policies to a RIC's A1 interface — a server
 * held to the O-RAN SC A1 mediator's OpenAPI document, which records every request the document does not
 * allow — reads their enforcement back into the intent's status, rides out errors and delays, and deletes a
 * policy with its intent.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent, AgentConfig } from "@nephoran/agent";
import { A1Mediator, a1ContractMissing } from "../harness/a1";
import { eventually } from "../harness/agent";
import { skippedFor } from "../harness/skip";

const missing = a1ContractMissing();
skippedFor(missing, "the A1 suite is");

describe.skipIf(missing !== undefined)("A1 policies on the near-RT RIC", () => {
  let ric: A1Mediator;
  let agent: Agent;

  beforeAll(async () => {
    ric = new A1Mediator();
    await ric.start();
    const dir = mkdtempSync(join(tmpdir(), "nephoran-agent-a1-"));
    agent = new Agent(
      AgentConfig.parse({
        site: "ric-01",
        dataDir: dir,
        target: { kind: "directory", dir: join(dir, "manifests") },
        relistSeconds: 0.5,
        a1: { url: ric.url, timeoutSeconds: 1 },
        status: false,
      }),
      { logger: pino({ level: "silent" }) },
    );
    agent.start();
  });
  afterAll(async () => {
    await agent?.stop();
    await ric?.stop();
  });

  const ready = (id: string) => agent.store.getIntent(id)?.conditions.find((c) => c.type === "Ready");

  it("puts the policy, reads its enforcement into the intent's status, and follows the RIC's word", async () => {
    const { id } = await agent.addLocalIntent("Apply an A1 traffic steering policy with threshold 15");
    await eventually(() => (ready(id)?.reason === "Enforced" ? true : undefined), 20_000);
    expect(agent.store.getIntent(id)?.phase).toBe("Ready");
    expect([...ric.instances.values()]).toEqual([{ threshold: 15 }]);
    const put = ric.requests.find((r) => r.method === "PUT");
    expect(put?.path).toMatch(/^\/a1-p\/policytypes\/20008\/policies\/a1-policy-/);

    ric.enforce = "NOT_ENFORCED";
    await eventually(() => (ready(id)?.reason === "NotEnforced" ? true : undefined), 20_000);
    expect(agent.store.getIntent(id)?.phase).toBe("Applied");
    expect(ready(id)?.message).toMatch(/not enforced by the near-RT RIC/);
    ric.enforce = "ENFORCED";
    await eventually(() => (ready(id)?.reason === "Enforced" ? true : undefined), 20_000);
  });

  it("retries a RIC that fails or is slow, says why while it does, and recovers", async () => {
    // Two 503s: the client's own retries ride them out.
    ric.failNext(2);
    const before = ric.requests.length;
    const { id } = await agent.addLocalIntent("Apply an A1 traffic steering policy with threshold 30");
    await eventually(() => (ready(id)?.reason === "Enforced" ? true : undefined), 20_000);
    expect(ric.requests.slice(before).filter((r) => r.status === 503)).toHaveLength(2);

    // Down for good: the intent says so, and is Enforced again once the RIC answers.
    ric.instances.clear();
    ric.failNext(1_000_000);
    await eventually(() => (/answered 503/.test(ready(id)?.message ?? "") ? true : undefined), 20_000);
    expect(ready(id)?.reason).toBe("NotEnforced");
    ric.failNext(0);
    await eventually(() => (ready(id)?.reason === "Enforced" ? true : undefined), 20_000);
    expect(ric.instances.size).toBe(2);

    // Slower than the timeout: "did not answer", then fine again.
    ric.instances.clear();
    ric.delayMs = 1_500;
    await eventually(
      () => (/did not answer: timed out/.test(ready(id)?.message ?? "") ? true : undefined),
      20_000,
    );
    ric.delayMs = 0;
    await eventually(
      () => (ready(id)?.reason === "Enforced" && ric.instances.size === 2 ? true : undefined),
      20_000,
    );
  });

  it("deletes the policy with its intent, and never sent the RIC anything its contract does not allow", async () => {
    const [first] = agent.store.listIntents();
    expect(first).toBeDefined();
    agent.store.removeIntent(first?.id as string);
    agent.loop.trigger("test");
    await eventually(() => (ric.instances.size === 1 ? true : undefined), 20_000);
    expect(ric.requests.some((r) => r.method === "DELETE")).toBe(true);
    expect([...ric.instances.values()]).toEqual([{ threshold: 30 }]);
    expect(ric.violations).toEqual([]);
  });
});
