/**
 * Stopping never hangs on the broker: an agent stopped after its hub (and broker) went away, or at the same
 * time, is down within 5 s, on every transport.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { eventually, uniqueSite } from "../harness/agent";
import { brokersInstalled, startBroker } from "../harness/brokers";
import { api, enroll, startHub, syncedAgent } from "../harness/sync";

const installed = brokersInstalled();
if (!installed && process.env["CI"])
  throw new Error("nats-server/mosquitto are not installed: CI must run them");
const kinds = ["embedded", "mosquitto", "nats"] as const;
const orders = ["hub first", "agent first", "together"] as const;

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c().catch(() => undefined);
});

async function timed(p: Promise<unknown>): Promise<number> {
  const t = performance.now();
  await p;
  return performance.now() - t;
}

describe.each(kinds)("stopping over %s", (kind) => {
  const skip = kind !== "embedded" && !installed;
  it.skipIf(skip).each(orders)("stops within 5 s, %s", async (order) => {
    const broker = await startBroker(kind);
    // Heartbeats of 30 s (presence times out after 90 s): only a goodbye can make the site offline quickly.
    const hub: Hub = await startHub(
      broker ? broker.hubSync() : { transport: "embedded", port: 0 },
      undefined,
      30,
    );
    cleanup.push(
      () => hub.stop(),
      async () => broker?.stop(),
    );
    const site = uniqueSite(`stop${kind.slice(0, 2)}`);
    const { sync } = await enroll(hub, site);
    const agent: Agent = syncedAgent(site, sync);
    agent.start();
    await eventually(() => agent.sync?.status().connected);
    const stopBrokerSide = async () => {
      await hub.stop();
      await broker?.stop("SIGKILL");
    };
    let agentMs: number;
    if (order === "hub first") {
      await stopBrokerSide();
      agentMs = await timed(agent.stop());
    } else if (order === "agent first") {
      await eventually(async () => (await hub.deps.store.sites.get(site))?.lastSeen);
      agentMs = await timed(agent.stop());
      // Its goodbye makes it offline at once, in the API as in sync: one definition of presence.
      await eventually(
        async () => (await api(hub, "GET", `/v1/sites/${site}`)).json["presence"] === "offline",
        5000,
      );
      expect(hub.sync?.isOnline(site)).toBe(false);
      await stopBrokerSide();
    } else {
      [agentMs] = await Promise.all([timed(agent.stop()), stopBrokerSide()]);
    }
    expect(agentMs).toBeLessThan(5000);
    expect(agent.sync?.link()).toBe("stopped");
  });
});
