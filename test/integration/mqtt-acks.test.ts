/**
 * The hub's MQTT link on mosquitto: a message still being handled (a report waiting for its commit) holds up
 * no later message, yet the broker gets a PUBACK only for a message that, with every one before it, is done
 * with — what was not acknowledged is delivered again when the hub comes back (its session persists).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "mqtt";
import type { MqttClient } from "mqtt";
import type { HubTransport } from "@nephoran/shared";
import { createHubTransport, mqttTopic } from "@nephoran/shared";
import { eventually } from "../harness/agent";
import { brokersInstalled, MosquittoBroker } from "../harness/brokers";
import { skippedFor } from "../harness/skip";

const installed = !skippedFor(
  brokersInstalled() ? undefined : "mosquitto is not installed (scripts/test-env/brokers.sh install)",
  "the MQTT acknowledgement suite is",
);

describe.skipIf(!installed)("the hub's MQTT acknowledgements", () => {
  let broker: MosquittoBroker;
  let sender: MqttClient;
  const creds = () => ({ url: broker.url, username: "nephoran-hub", password: broker.hubPassword });

  /** A hub link that records what it is handed and holds each message named "hold-…" until let go. */
  async function hubLink(holding: boolean) {
    const seen: string[] = [];
    const held = new Map<string, () => void>();
    const link: HubTransport = await createHubTransport({
      transport: "mqtt",
      ...creds(),
      protocolVersion: 5,
    });
    await link.start({
      onUp: (_site, data) => {
        const text = Buffer.from(data).toString();
        seen.push(text);
        if (!holding || !text.startsWith("hold")) return undefined;
        return new Promise<void>((resolve) => held.set(text, resolve));
      },
      onError: () => undefined,
      onLink: () => undefined,
    });
    return { link, seen, held };
  }

  beforeAll(async () => {
    broker = await new MosquittoBroker().start();
    sender = connect(broker.url, {
      ...creds(),
      clientId: "acks-sender",
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    await new Promise<void>((resolve, reject) => {
      sender.once("connect", () => resolve());
      sender.once("error", reject);
    });
  });

  afterAll(async () => {
    await sender?.endAsync();
    await broker?.stop();
  });

  it("reads on past a message being handled; acknowledges only what is done with, in order", async () => {
    const sent = ["plain-1", "hold-a", "plain-2", "hold-b", "plain-3"];
    const first = await hubLink(true);
    for (const text of sent) await sender.publishAsync(mqttTopic.up("edge01"), text, { qos: 1 });
    // Every message reaches the hub while two are still being handled.
    await eventually(() => expect(first.seen).toEqual(sent));
    // The later one done: still nothing after the first held one may be acknowledged.
    first.held.get("hold-b")?.();
    await new Promise((r) => setTimeout(r, 200));
    await first.link.close();

    // Back again: the broker delivers what was not acknowledged, and only that, in order.
    const second = await hubLink(false);
    await eventually(() => expect(second.seen).toEqual(["hold-a", "plain-2", "hold-b", "plain-3"]));
    // Done with at once this time: acknowledged at once, so a third link gets nothing again.
    await new Promise((r) => setTimeout(r, 200));
    await second.link.close();
    const third = await hubLink(false);
    await sender.publishAsync(mqttTopic.up("edge01"), "plain-4", { qos: 1 });
    await eventually(() => expect(third.seen).toEqual(["plain-4"]));
    await third.link.close();
  });
});
