/** The records the hub's store keeps, and its errors (the contract over them is in contract.ts). */
import type {
  ExpectationStatus,
  Fulfilment,
  RolloutState,
  RolloutStrategy,
  IntentPlan,
  Labels,
  Priority,
  RollupPhase,
  SiteIntentReport,
  SiteSelector,
} from "@nephoran/shared";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly createdBy: string | null;
  /** After this the token no longer authenticates (null: it does not expire). */
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  /** Set once revoked; a revoked token never authenticates again. */
  readonly revokedAt: string | null;
}

export interface NewApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly hash: string;
  readonly createdBy?: string;
  readonly expiresAt?: string;
}

/** The answer a request with an Idempotency-Key got, kept so a retry gets it again. */
export interface IdempotentAnswer {
  /** SHA-256 of the request body: the same key with another body is refused. */
  readonly bodyHash: string;
  /** 0 while the request runs. */
  readonly status: number;
  readonly response: string;
  readonly createdAt: string;
}

export interface SiteRecord {
  readonly id: string;
  readonly labels: Labels;
  readonly enrolledAt: string;
  readonly lastSeen: string | null;
  /** When the site last said it was going (goodbye, or its MQTT last will). */
  readonly goneAt: string | null;
  readonly agentVersion: string | null;
  readonly desiredVersion: number;
  readonly reportedVersion: number;
  readonly resyncRequestedAt: string | null;
  /** The id of the site's current credential (CredentialId): sync messages must name it. */
  readonly credentialId: string;
}

/** What a rollup needs of the store, counted in SQL however many sites an intent targets. */
export interface RollupQuery {
  readonly intentId: string;
  /** The intent's revision: a site that reported an older one is Pending. */
  readonly revision: number;
  /** Count the sites still to remove the intent too (it is being deleted). */
  readonly removing: boolean;
  /** A site last heard from before this (ISO time), or that said it was going since, is Offline. */
  readonly onlineSince: string;
  /** How many not-Ready sites to list (one more is read, to know whether the list is cut). */
  readonly cap: number;
}

export interface RollupTally {
  /** Targeted sites per phase (phases no site is in are left out). */
  readonly counts: Partial<Record<RollupPhase, number>>;
  /** Ready, or Applied by a target that cannot observe readiness (its Ready condition is Unknown). */
  readonly settled: number;
  /** Sites that are not Ready, worst first then by name: `cap + 1` at most. */
  readonly notReady: {
    readonly siteId: string;
    readonly phase: RollupPhase;
    readonly lastSeen: string | null;
    readonly reportedRevision: number | null;
  }[];
}

export interface FulfilmentQuery {
  readonly intentId: string;
  /** How many of the worst sites to read whole. */
  readonly cap: number;
}

/** How an intent's expectations stand across the sites it targets (their current reports). */
export interface FulfilmentTally {
  /** Sites by the worst state among their expectations. */
  readonly counts: Partial<Record<Fulfilment, number>>;
  /** Sites not Fulfilled, worst first then by name, with what they measured. */
  readonly worst: {
    readonly siteId: string;
    readonly state: Fulfilment;
    readonly expectations: ExpectationStatus[];
  }[];
}

/** One fulfilment report of an intent: its state across the sites then, and the TMF921 body. */
export interface IntentReportRecord {
  readonly intentId: string;
  readonly seq: number;
  readonly id: string;
  readonly state: Fulfilment;
  readonly body: Record<string, unknown>;
  readonly createdAt: string;
}

export interface ListenerRecord {
  readonly id: string;
  readonly callback: string;
  /** TMF921's `query`: which events (`eventType=A,B`); all when null. */
  readonly query: string | null;
  /** What the notifications to it are signed with (HMAC-SHA256). */
  readonly secret: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** Every enrolled site's name, and which label keys have each label value: what names a site in a text. */
export interface SiteDirectory {
  readonly names: ReadonlySet<string>;
  readonly labelKeys: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface NewEnrollmentToken {
  readonly id: string;
  readonly hash: string;
  readonly site: string;
  readonly labels: Labels;
  readonly expiresAt: string;
  readonly createdBy: string;
}

export interface EnrollmentToken {
  readonly id: string;
  readonly site: string;
  readonly labels: Labels;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly createdBy: string;
}

export interface NewIntent {
  readonly id: string;
  readonly name: string;
  readonly text?: string;
  readonly description?: string;
  readonly expression?: Record<string, unknown>;
  readonly plan: IntentPlan;
  readonly siteSelector: SiteSelector;
  readonly priority: Priority;
  readonly rollout?: RolloutStrategy;
  readonly createdBy: string;
}

/** A page of intents: filters by state, priority, and the site that runs them (its desired set). */
export interface IntentQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly state?: string;
  readonly priority?: string;
  readonly site?: string;
}

export interface IntentChange {
  readonly name?: string;
  readonly text?: string;
  /** null removes it. */
  readonly description?: string | null;
  readonly expression?: Record<string, unknown>;
  readonly plan?: IntentPlan;
  readonly siteSelector?: SiteSelector;
  readonly priority?: Priority;
  /** A strategy for this change and the next ones; null goes back to all at once. */
  readonly rollout?: RolloutStrategy | null;
}

/** One intent's change at one site, at the site's new desired version. */
export interface SiteChange {
  readonly site: string;
  readonly version: number;
  /** The version this change follows (version − 1 for a single change). */
  readonly base: number;
  readonly intentId: string;
  readonly revision: number;
  readonly deleted: boolean;
}

export interface DesiredRow {
  readonly intentId: string;
  readonly revision: number;
  readonly deleted: boolean;
}

export interface SyncBatch {
  readonly seen: readonly { site: string; at: string; agentVersion?: string }[];
  /** Sites that said they are going (a goodbye or a last will). */
  readonly gone?: readonly { site: string; at: string }[];
  readonly acks: readonly { site: string; version: number }[];
  readonly reports: readonly SiteIntentReport[];
}

/** An audit entry to append: when is the store's clock. */
export interface NewAuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail?: Record<string, unknown>;
}

/** An intent's new revision (or, with `revision` null, its deletion) to weigh per site. */
export interface RetargetIntent {
  readonly intentId: string;
  readonly revision: number | null;
  readonly selector: SiteSelector | null;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail: Record<string, unknown>;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export const StoreErrorCode = {
  NotFound: "NOT_FOUND",
  Conflict: "CONFLICT",
  Stale: "STALE_REVISION",
  /** The caller sent something the store cannot read (a forged or damaged cursor). */
  Invalid: "INVALID",
  /** The database cannot be reached (a PostgreSQL that is down or restarting): try again later. */
  Unavailable: "UNAVAILABLE",
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class HubStoreError extends Error {
  override readonly name = "HubStoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A failed or unavailable site of a rollout, and why. */
export interface RolloutFailure {
  readonly site: string;
  readonly why: string;
  /** Not heard from, rather than failed: the change could not be verified there. */
  readonly unavailable?: boolean;
  /** A person resumed the rollout past it: it no longer counts against the budget. */
  readonly accepted?: boolean;
}

/** A staged rollout of one intent revision, as the controller leaves it after each step. */
export interface RolloutRecord {
  readonly intentId: string;
  readonly revision: number;
  /** The revision sites held before (none for a new intent): what a rollback goes back to. */
  readonly fromRevision: number | null;
  readonly strategy: RolloutStrategy;
  /** The sites of each stage (the canary first), in name order. */
  readonly stages: readonly (readonly string[])[];
  /** The stage under way (or the last one, once finished). */
  readonly stage: number;
  readonly state: RolloutState;
  readonly reason: string | null;
  readonly failures: readonly RolloutFailure[];
  readonly startedAt: string;
  readonly stageStartedAt: string;
  /** Since when every site of the stage has been Ready (the bake runs from here). */
  readonly readySince: string | null;
  readonly updatedAt: string;
}

/** One site's side of a rollout: what it should hold, what it reported, whether it is heard from. */
export interface RolloutSite {
  readonly site: string;
  /** The revision desired there (null: none, or a tombstone). */
  readonly revision: number | null;
  readonly reportRevision: number | null;
  readonly reportPhase: string | null;
  readonly reportUnknown: boolean;
  readonly lastSeen: string | null;
  readonly goneAt: string | null;
}
