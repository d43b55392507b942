/**
 * MQTT (5 on mosquitto, 3.1.1 on the hub's embedded broker): QoS 1 and persistent sessions both ways,
 * so what is published while a side is away waits at the broker. The hub leaves a retained
 * `nephoran/site/<site>/desired` pointer for a site it believes offline instead of queueing changes, and
 * each agent's last will tells the hub at once when its link dies.
 */
import type { IClientOptions, IPublishPacket, MqttClient } from "mqtt";
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
import { DEFAULT_LINK, HUB_DIAL_MAX_WAIT_MS, mqttTopic } from "../transport";
import { CLOSE_DEADLINE_MS, withDeadline } from "./deadline";
import { RedialPacer } from "./redial";

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
  // does not reconnect. So too a client ended while it was still connecting: it calls itself ended at once,
  // but its DISCONNECT waits for a connection it no longer tends, and the socket stays open (a stopped agent
  // would never exit).
  if (!client.stream?.destroyed) client.stream?.destroy();
}

export class MqttAgentTransport implements AgentTransport {
  readonly describe: string;
  #client: MqttClient | undefined;
  #ready = false;
  #closed = false;
  /** The next dial, while the broker is away: the client does not redial by itself (see RedialPacer). */
  #redial: ReturnType<typeof setTimeout> | undefined;

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
    const link = this.opts.link ?? DEFAULT_LINK;
    const client = connect(this.opts.url, {
      ...options({ ...this.opts, clientId: `nephoran-agent-${site}` }, link),
      reconnectPeriod: 0,
      will: { topic: mqttTopic.up(site), payload: Buffer.from(will), qos: 1, retain: false },
    });
    this.#client = client;
    const pacer = new RedialPacer(link);
    const lost = (why: string) => {
      if (this.#ready) h.onLost(why);
      this.#ready = false;
    };
    // Each closed connection, or failed dial, schedules one dial; what the client had in flight is kept.
    client.on("close", () => {
      lost("connection closed");
      if (this.#closed || this.#redial) return;
      this.#redial = setTimeout(() => {
        this.#redial = undefined;
        if (!this.#closed)
          client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
      }, pacer.next());
    });
    client.on("error", (e) => lost(e.message));
    client.on("connect", () => {
      pacer.up();
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
  }

  send(data: Uint8Array): boolean {
    if (!this.#client || !this.#ready) return false;
    this.#client.publish(mqttTopic.up(this.opts.site), Buffer.from(data), { qos: 1 });
    return true;
  }

  async close(): Promise<void> {
    this.#ready = false;
    this.#closed = true;
    clearTimeout(this.#redial);
    this.#redial = undefined;
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
    // The broker gets its PUBACK only once the hub is done with the message (for a report, after commit), in
    // the order the messages came; but a report waiting for its commit holds up no later message: the hub
    // reads on, and the reports that arrive together are committed together.
    const pubacks = new PubackQueue(client);
    client.handleMessage = (packet, done) => {
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
      let pending: Promise<void> | void = undefined;
      try {
        pending = h.onUp(mqttTopic.siteOf(packet.topic), payload);
      } catch (e: unknown) {
        h.onError(e instanceof Error ? e : new Error(String(e)));
      }
      // Not committed: the agent keeps the report in its outbox and sends it again.
      const settled = pending?.catch((e: unknown) =>
        h.onError(e instanceof Error ? e : new Error(String(e))),
      );
      pubacks.after(packet, settled, done);
    };
    client.on("connect", () => {
      pubacks.reconnected();
      h.onLink(true);
    });
    client.on("offline", () => h.onLink(false));
    // Until the broker answers, the client dials again by itself and each failure is said (at most every
    // HUB_DIAL_MAX_WAIT_MS); a broker that refuses the hub's credentials fails the start, as does a close.
    const link = this.opts.link ?? DEFAULT_LINK;
    let said = -Infinity;
    await new Promise<void>((resolve, reject) => {
      const failed = (e: Error & { code?: unknown }) => {
        if (typeof e.code === "number") return reject(e); // a CONNACK's refusal: it will not change its mind
        if (Date.now() - said < HUB_DIAL_MAX_WAIT_MS) return;
        said = Date.now();
        h.onError(
          new Error(
            `the hub cannot connect to its broker at ${this.opts.url} (${e.message}); dialling again every ${link.reconnectDelayMs} ms`,
          ),
        );
      };
      const ended = () => reject(new Error(`the link to ${this.opts.url} was closed before it came up`));
      const settle = () => {
        client.off("error", failed);
        client.off("end", ended);
      };
      client.on("error", failed);
      client.once("end", ended);
      client.once("connect", () => {
        client.subscribe(mqttTopic.allUp, { qos: 1 }, (err) => {
          settle();
          if (err) reject(err);
          else resolve();
        });
      });
    }).catch(async (e: unknown) => {
      await closeClient(client);
      throw e;
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

/**
 * PUBACKs in the order their messages came, each once its message is done with. With nothing waiting, a
 * message is acknowledged at once, as the client does by itself; behind one still waiting, its PUBACK is
 * queued and the client reads on. A PUBACK queued on a connection since lost is dropped: the broker
 * delivers that message again on the new one.
 */
class PubackQueue {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;
  #connection = 0;

  constructor(private readonly client: MqttClient) {}

  /** `done` is the client's: called bare it sends the PUBACK; called with a reason it reads on without one. */
  after(packet: IPublishPacket, settled: Promise<void> | undefined, done: (err?: Error) => void): void {
    if (packet.qos !== 1 || (!settled && this.#waiting === 0)) return done();
    const { messageId } = packet;
    const connection = this.#connection;
    this.#waiting++;
    this.#tail = this.#tail
      .then(() => settled)
      .then(() => {
        this.#waiting--;
        if (connection === this.#connection && this.client.connected)
          sendPacket(this.client, { cmd: "puback", messageId, reasonCode: 0 });
      });
    done(QUEUED);
  }

  reconnected(): void {
    this.#connection++;
  }
}

/** What `done` is given when the PUBACK is queued: the client then sends none itself. */
const QUEUED = new Error("PUBACK queued until the message is done with");

/** The client's packet writer (absent from its typings), for a PUBACK sent after its message's handler. */
function sendPacket(
  client: MqttClient,
  packet: { cmd: "puback"; messageId: number | undefined; reasonCode: number },
): void {
  (client as unknown as { _sendPacket(p: typeof packet): void })._sendPacket(packet);
}
