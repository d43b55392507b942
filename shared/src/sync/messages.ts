/**
 * The sync protocol between hub and agent, version 1. Every message is JSON, carries `v` and the site
 * it concerns, and is validated on receipt at both ends; a message of another version is refused by name.
 *
 * Hub → agent ("down"):
 * - `intent`  one intent at the site's desired `version`: `intent` (put) or `deleted` (its id). A live
 *             change carries `base` = the version it follows; the agent applies it alone only when its
 *             acknowledged version is `base`. Without `base` it belongs to a snapshot and waits for…
 * - `synced`  …the end of a snapshot: every `intent` since `since` has been sent; `full` means the
 *             snapshot is the whole desired set (anti-entropy), so hub intents not in it are removed.
 * - `reportAck` the hub committed these reports; the agent drops them from its outbox.
 * - `resync`  an operator asked for a full resync of this site.
 * - `pointer` the desired version, retained for a site that is away (MQTT), instead of a queue of changes.
 * Agent → hub ("up"):
 * - `hello`   after (re)subscribing: the version the agent acknowledged last; the hub answers with a
 *             snapshot since then — one `intent` per changed intent, not the backlog.
 * - `ack`     the agent committed `version` to its store.
 * - `report`  one SiteIntentReport from the outbox, id `<site>:<intent>:<reportSeq>`.
 * - `heartbeat` presence, the acknowledged version and a digest of the hub intents the site holds.
 * - `presence` the link came up or is going away (the MQTT last will is one).
 * Every up message carries `cred`, the id of the credential the site holds: after a re-enrollment or a
 * delete the hub refuses what the old credential's holder still sends.
 */
import * as z from "zod";
import { IntentId, IntentPlan, Priority, SiteIntentReport, SiteName } from "../domain";
import { Traceparent } from "../tracing";
import { CredentialId } from "./transport";

export const PROTOCOL_VERSION = 1;

const Version = z.number().int().min(0);

/** An intent as a site needs it: enough to plan nothing and apply exactly what the hub holds. */
export const DesiredIntent = z.strictObject({
  id: IntentId,
  name: z.string().min(1).max(253),
  revision: z.number().int().min(1),
  priority: Priority,
  plan: IntentPlan,
  createdAt: z.string().min(1).max(64),
});
export type DesiredIntent = z.infer<typeof DesiredIntent>;

const base = { v: z.literal(PROTOCOL_VERSION), site: SiteName };
/** What an agent sends names the credential it holds (CredentialId): the hub refuses a revoked one. */
const upBase = { ...base, cred: CredentialId };

export const IntentMessage = z
  .strictObject({
    ...base,
    type: z.literal("intent"),
    version: Version,
    base: Version.optional(),
    intent: DesiredIntent.optional(),
    deleted: IntentId.optional(),
    /** The change's trace (W3C), when the hub traces: the site's work joins it. */
    traceparent: Traceparent.optional(),
  })
  .refine((m) => (m.intent === undefined) !== (m.deleted === undefined), {
    message: "an intent message carries exactly one of intent and deleted",
  });
export const SyncedMessage = z.strictObject({
  ...base,
  type: z.literal("synced"),
  version: Version,
  since: Version,
  full: z.boolean(),
  count: z.number().int().min(0),
});
export const ReportAckMessage = z.strictObject({
  ...base,
  type: z.literal("reportAck"),
  ids: z.array(z.string().min(1).max(300)).max(1000),
});
export const ResyncMessage = z.strictObject({ ...base, type: z.literal("resync") });
/** The site's current desired version, left retained for a site that is away (MQTT). */
export const PointerMessage = z.strictObject({ ...base, type: z.literal("pointer"), version: Version });

export const HelloMessage = z.strictObject({
  ...upBase,
  type: z.literal("hello"),
  ackedVersion: Version,
  agentVersion: z.string().max(64),
});
export const AckMessage = z.strictObject({ ...upBase, type: z.literal("ack"), version: Version });
export const ReportMessage = z.strictObject({
  ...upBase,
  type: z.literal("report"),
  id: z.string().min(1).max(300),
  report: SiteIntentReport,
  /** The trace of the change this report is about (W3C), when the site traces. */
  traceparent: Traceparent.optional(),
});
export const HeartbeatMessage = z.strictObject({
  ...upBase,
  type: z.literal("heartbeat"),
  seq: z.number().int().min(0),
  ackedVersion: Version,
  digest: z.string().regex(/^[0-9a-f]{16}$/),
  outbox: z.number().int().min(0),
});

/** The agent's link came up or is going down (MQTT: the last will says it when the link dies). */
export const PresenceMessage = z.strictObject({
  ...upBase,
  type: z.literal("presence"),
  online: z.boolean(),
});

export const DownMessage = z.union([
  IntentMessage,
  SyncedMessage,
  ReportAckMessage,
  ResyncMessage,
  PointerMessage,
]);
export type DownMessage = z.infer<typeof DownMessage>;
export const UpMessage = z.discriminatedUnion("type", [
  HelloMessage,
  AckMessage,
  ReportMessage,
  HeartbeatMessage,
  PresenceMessage,
]);
export type UpMessage = z.infer<typeof UpMessage>;
export type IntentMessage = z.infer<typeof IntentMessage>;
export type SyncedMessage = z.infer<typeof SyncedMessage>;
export type HeartbeatMessage = z.infer<typeof HeartbeatMessage>;
