/**
 * MQTT (5 on mosquitto, 3.1.1 on the hub's embedded broker): QoS 1 and persistent sessions both ways,
 * so what is published while a side is away waits at the broker. The hub leaves a retained
 * `nephoran/site/<site>/desired` pointer for a site it believes offline instead of queueing changes, and
 * each agent's last will tells the hub at once when its link dies.
 */
import type { IClientOptions, MqttClient } from "mqtt";
import { connect } from "mqtt";
import { encode } from "../codec";
import { PROTOCOL_VERSION } from "../messages";
import type {
  AgentLinkHandlers,
  AgentTransport,
  HubLinkHandlers,
  HubTransport,
  LinkTuning,
} from "../transport";
import { DEFAULT_LINK, mqttTopic } from "../transport";
import { CLOSE_DEADLINE_MS, withDeadline } from "./deadline";

const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

function options(
  o: { username: string; password: string; protocolVersion: 4 | 5; clientId: string },
  link: LinkTuning,
): IClientOptions {
  return {
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    protocolVersion: o.protocolVersion,
    clean: false,
    ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } } : {}),
    keepalive: Math.max(1, Math.round(link.deadAfterMs / 1500)),
    reconnectPeriod: link.reconnectDelayMs,
    connectTimeout: Math.max(2000, link.deadAfterMs),
    resubscribe: true,
    // The packet writer's number cache is 65,536 two-byte Buffers (~6 MB of heap) for a link that sends a
    // few messages a minute: an edge box does better without it.
    writeCache: false,
  };
}

async function closeClient(client: MqttClient | undefined): Promise<void> {
  if (!client) return;
  await withDeadline(client.endAsync(), CLOSE_DEADLINE_MS);
  // A broker that never acknowledges (gone, or stalled): drop the connection; the client is ending, so it
  // does not reconnect.
  if (!client.disconnected) client.stream?.destroy();
}

export class MqttAgentTransport implements AgentTransport {
  readonly describe: string;
  #client: MqttClient | undefined;
  #ready = false;

  constructor(
    private readonly opts: {
      url: string;
      site: string;
      username: string;
      password: string;
      protocolVersion: 4 | 5;
      credentialId: string;
      link?: LinkTuning;
    },
  ) {
    this.describe = `mqtt ${opts.url}`;
  }

  start(h: AgentLinkHandlers): void {
    const { site, credentialId } = this.opts;
    const will = encode({ v: PROTOCOL_VERSION, site, cred: credentialId, type: "presence", online: false });
    const client = connect(this.opts.url, {
      ...options({ ...this.opts, clientId: `nephoran-agent-${site}` }, this.opts.link ?? DEFAULT_LINK),
      will: { topic: mqttTopic.up(site), payload: Buffer.from(will), qos: 1, retain: false },
    });
    this.#client = client;
    client.on("connect", () => {
      client.subscribe([mqttTopic.down(site), mqttTopic.desired(site)], { qos: 1 }, (err, granted) => {
        if (err || granted?.some((g) => g.qos > 2)) {
          h.onLost(`subscription refused: ${err?.message ?? "not authorised"}`);
          return;
        }
        this.#ready = true;
        h.onReady();
      });
    });
    client.on("message", (_topic, payload) => h.onDown(payload));
    const lost = (why: string) => {
      if (this.#ready) h.onLost(why);
      this.#ready = false;
    };
    client.on("close", () => lost("connection closed"));
    client.on("offline", () => lost("offline"));
    client.on("error", (e) => lost(e.message));
  }

  send(data: Uint8Array): boolean {
    if (!this.#client || !this.#ready) return false;
    this.#client.publish(mqttTopic.up(this.opts.site), Buffer.from(data), { qos: 1 });
    return true;
  }

  async close(): Promise<void> {
    this.#ready = false;
    // Ends after what is in flight (the goodbye included) is acknowledged, or, with the broker gone, at the
    // deadline, when the client is closed by force.
    await closeClient(this.#client);
  }
}

export class MqttHubTransport implements HubTransport {
  readonly describe: string;
  readonly queuesForAbsent = true;
  #client: MqttClient | undefined;

  constructor(
    private readonly opts: {
      url: string;
      username: string;
      password: string;
      protocolVersion: 4 | 5;
      link?: LinkTuning;
    },
  ) {
    this.describe = `mqtt ${opts.url}`;
  }

  async start(h: HubLinkHandlers): Promise<void> {
    const client = connect(
      this.opts.url,
      options({ ...this.opts, clientId: "nephoran-hub" }, this.opts.link ?? DEFAULT_LINK),
    );
    this.#client = client;
    // The broker gets its PUBACK only once the hub is done with the message: for a report, after commit.
    client.handleMessage = (packet, done) => {
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
      let pending: Promise<void> | void;
      try {
        pending = h.onUp(mqttTopic.siteOf(packet.topic), payload);
      } catch (e: unknown) {
        h.onError(e instanceof Error ? e : new Error(String(e)));
        return done();
      }
      if (!pending) return done();
      pending.then(
        () => done(),
        (e: unknown) => {
          // Not committed: the agent keeps the report in its outbox and sends it again.
          h.onError(e instanceof Error ? e : new Error(String(e)));
          done();
        },
      );
    };
    client.on("connect", () => h.onLink(true));
    client.on("offline", () => h.onLink(false));
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      client.once("error", fail);
      client.once("connect", () => {
        client.off("error", fail);
        client.subscribe(mqttTopic.allUp, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
      });
    });
    // It reconnects by itself; the hub logs what went wrong and shows the link in /readyz.
    client.on("error", (e) => h.onError(e));
  }

  send(site: string, data: Uint8Array): void {
    this.#client?.publish(mqttTopic.down(site), Buffer.from(data), { qos: 1 });
  }

  announce(site: string, data: Uint8Array): void {
    // QoS 0: kept as the retained value for the next subscribe, never queued up in an away site's session.
    this.#client?.publish(mqttTopic.desired(site), Buffer.from(data), { qos: 0, retain: true });
  }

  async close(): Promise<void> {
    await closeClient(this.#client);
  }
}
