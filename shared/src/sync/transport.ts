/** Transports behind one interface: the protocol above them is the same on NATS and MQTT. */
import { createHash } from "node:crypto";
import * as z from "zod";
import { SiteName } from "../domain";

/**
 * Which of a site's credentials a message comes from: the first 16 hex digits of the SHA-256 of the site's
 * credential. A site that is re-enrolled or deleted gets a new one (or none), so the hub can refuse what an
 * old box still sends, on every transport. Not a secret: nothing can be derived from it.
 */
export const CredentialId = z.string().regex(/^[0-9a-f]{16}$/, "must be 16 hex digits");
export const credentialIdOf = (credential: string): string =>
  createHash("sha256").update(credential).digest("hex").slice(0, 16);

/** How a site reaches its broker: issued by the hub at enrollment, kept by the agent. */
export const SiteSyncCredentials = z.discriminatedUnion("transport", [
  z.strictObject({
    transport: z.literal("nats"),
    url: z.string().min(1),
    site: SiteName,
    credentialId: CredentialId,
    /** The site's NKey seed (secret): the server knows only its public key. */
    nkeySeed: z.string().regex(/^SU[A-Z2-7]+$/, "must be a NATS user NKey seed"),
  }),
  z.strictObject({
    transport: z.literal("mqtt"),
    url: z.string().min(1),
    site: SiteName,
    credentialId: CredentialId,
    username: z.string().min(1),
    password: z.string().min(1),
    /** 5 for mosquitto and other MQTT 5 brokers; 4 (MQTT 3.1.1) for the hub's embedded broker. */
    protocolVersion: z.union([z.literal(4), z.literal(5)]),
  }),
]);
export type SiteSyncCredentials = z.infer<typeof SiteSyncCredentials>;

/** How the hub reaches its broker. */
export const HubBrokerConfig = z.discriminatedUnion("transport", [
  z.strictObject({
    transport: z.literal("nats"),
    /** A server, or a cluster's servers separated by commas. */
    url: z.string().min(1),
    nkeySeed: z.string().regex(/^SU[A-Z2-7]+$/, "must be a NATS user NKey seed"),
    /** Copies of the reports stream across a cluster's servers. */
    streamReplicas: z.number().int().min(1).max(5).optional(),
  }),
  z.strictObject({
    transport: z.literal("mqtt"),
    url: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1),
    protocolVersion: z.union([z.literal(4), z.literal(5)]),
  }),
]);
export type HubBrokerConfig = z.infer<typeof HubBrokerConfig>;

export interface LinkTuning {
  /** How long a link may stay silent before it is declared dead and redialled. */
  readonly deadAfterMs: number;
  /** The shortest wait between two dials (the hub's links keep to it). */
  readonly reconnectDelayMs: number;
  /** The longest wait between two dials of an agent whose broker stays away (see RedialPacer). */
  readonly maxReconnectDelayMs: number;
}
export const DEFAULT_LINK: LinkTuning = {
  deadAfterMs: 15_000,
  reconnectDelayMs: 500,
  maxReconnectDelayMs: 15_000,
};
/**
 * A hub starting before its broker: the longest it waits between two dials, and the most often it says it
 * still cannot connect.
 */
export const HUB_DIAL_MAX_WAIT_MS = 5_000;

export interface AgentLinkHandlers {
  /** Subscribed (again): the protocol says hello now, so nothing between is missed. */
  onReady(): void;
  onDown(data: Uint8Array): void;
  onLost(reason: string): void;
}

export interface AgentTransport {
  readonly describe: string;
  /** Starts dialling in the background; returns at once. */
  start(h: AgentLinkHandlers): void;
  /**
   * Queues one message to the hub; false when the link is down and it was not sent. A `durable` message
   * (a report) is kept by the broker until the hub has committed it; the others (hello, ack, heartbeat)
   * are cheap to repeat and take the fastest path.
   */
  send(data: Uint8Array, durable?: boolean): boolean;
  close(): Promise<void>;
}

export interface HubLinkHandlers {
  /**
   * One message from `site`, in the order the site sent it. When it returns a promise (a report, kept
   * durably), the transport acknowledges the message to the broker only once the promise settled, so a
   * report is not lost if the hub stops first; a rejection is reported to `onError`, never left unhandled.
   * Meanwhile the transport hands on the messages after it: the reports that arrive together commit together.
   */
  onUp(site: string, data: Uint8Array): Promise<void> | void;
  /** A failure in the transport's background work (client errors, a consumer that stopped). */
  onError(error: Error): void;
  /** The hub's own link to the broker came up (true) or went down (false). */
  onLink(up: boolean): void;
}

export interface HubTransport {
  readonly describe: string;
  /**
   * Whether the broker queues messages for a site that is away (MQTT persistent sessions). Such a site
   * gets a retained pointer instead of changes, so it does not come back to a backlog.
   */
  readonly queuesForAbsent: boolean;
  start(h: HubLinkHandlers): Promise<void>;
  send(site: string, data: Uint8Array): void;
  /** Leaves the site's current desired version where it will find it on reconnect (MQTT retained). */
  announce(site: string, data: Uint8Array): void;
  close(): Promise<void>;
}

/** Subjects and topics: a site's credentials reach these and nothing else. */
export const natsSubject = {
  down: (site: string) => `nephoran.site.${site}.down`,
  up: (site: string) => `nephoran.site.${site}.up`,
  allUp: "nephoran.site.*.up",
  ctl: (site: string) => `nephoran.site.${site}.ctl`,
  allCtl: "nephoran.site.*.ctl",
  siteOfUp: (subject: string) => subject.split(".")[2] ?? "",
};
export const mqttTopic = {
  down: (site: string) => `nephoran/site/${site}/down`,
  desired: (site: string) => `nephoran/site/${site}/desired`,
  up: (site: string) => `nephoran/site/${site}/up`,
  allUp: "nephoran/site/+/up",
  siteOf: (topic: string) => topic.split("/")[2] ?? "",
};
export const NATS_UP_STREAM = "NEPHORAN_UP";
export const NATS_HUB_CONSUMER = "hub";
/** The queue group hub replicas subscribe to sites' control messages in: each message reaches one of them. */
export const NATS_HUB_QUEUE = "nephoran-hub";
