/** Picks a transport by configuration; a transport's client library is loaded only when it is used. */
import type { HubBrokerConfig, LinkTuning, SiteSyncCredentials } from "./transport";
import type { AgentTransport, HubTransport } from "./transport";

export async function createAgentTransport(
  c: SiteSyncCredentials,
  link?: LinkTuning,
): Promise<AgentTransport> {
  if (c.transport === "nats") {
    const { NatsAgentTransport } = await import("./transports/nats-agent");
    return new NatsAgentTransport({
      url: c.url,
      site: c.site,
      nkeySeed: c.nkeySeed,
      ...(link ? { link } : {}),
    });
  }
  const { MqttAgentTransport } = await import("./transports/mqtt");
  return new MqttAgentTransport({ ...c, ...(link ? { link } : {}) });
}

export async function createHubTransport(c: HubBrokerConfig, link?: LinkTuning): Promise<HubTransport> {
  if (c.transport === "nats") {
    const { NatsHubTransport } = await import("./transports/nats-hub");
    return new NatsHubTransport({
      url: c.url,
      nkeySeed: c.nkeySeed,
      ...(c.streamReplicas ? { streamReplicas: c.streamReplicas } : {}),
      ...(link ? { link } : {}),
    });
  }
  const { MqttHubTransport } = await import("./transports/mqtt");
  return new MqttHubTransport({ ...c, ...(link ? { link } : {}) });
}
