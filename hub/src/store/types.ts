/** The hub's store behind one interface, so a PostgreSQL implementation can serve several replicas. */
import type {
  Intent,
  IntentPlan,
  Labels,
  Phase,
  Priority,
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

/** One targeted site as a rollup reads it: presence, and the gist of its report. */
export interface RollupRow {
  readonly siteId: string;
  readonly lastSeen: string | null;
  readonly goneAt: string | null;
  readonly report: {
    readonly revision: number;
    readonly phase: Phase;
    readonly unobservable: boolean;
  } | null;
}

/** Every enrolled site's name, and which label keys have each label value: what names a site in a text. */
export interface SiteDirectory {
  readonly names: ReadonlySet<string>;
  readonly labelKeys: ReadonlyMap<string, ReadonlySet<string>>;
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
  readonly plan: IntentPlan;
  readonly siteSelector: SiteSelector;
  readonly priority: Priority;
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
  readonly plan?: IntentPlan;
  readonly siteSelector?: SiteSelector;
  readonly priority?: Priority;
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

export interface HubStore {
  /** Whether the store answers (for /readyz). */
  ping(): boolean;
  close(): void;

  addApiToken(t: NewApiToken): ApiToken;
  /** The token with this hash, revoked and expired ones included (the caller decides). */
  tokenByHash(hash: string): ApiToken | undefined;
  getApiToken(id: string): ApiToken | undefined;
  listApiTokens(): ApiToken[];
  /** Tokens that are not revoked. */
  countApiTokens(): number;
  /** Revokes at once: the next request with it is refused. */
  revokeApiToken(id: string): ApiToken;
  /** Records a use of the token with this hash (written at most once a minute per token). */
  touchApiToken(hash: string, at: Date): void;

  /** The answer (status > 0) or the claim (status 0) of a request with this key. */
  getIdempotent(scope: string, key: string): IdempotentAnswer | undefined;
  /** Claims (scope, key) for a request about to run; false when another request holds it. */
  claimIdempotent(scope: string, key: string, bodyHash: string): boolean;
  completeIdempotent(scope: string, key: string, status: number, response: string): void;
  purgeIdempotentKey(scope: string, key: string): void;
  /** Drops answers recorded before `before` (ISO time); returns how many. */
  purgeIdempotent(before: string): number;

  createIntent(i: NewIntent): Intent;
  getIntent(id: string): Intent | undefined;
  listIntents(q: IntentQuery): Page<Intent>;
  /** Applies a change if `ifRevision` is the current revision; the revision goes up by one. */
  updateIntent(id: string, ifRevision: number, change: IntentChange): Intent;
  markIntentDeleting(id: string): Intent;
  countIntents(): number;

  createEnrollmentToken(t: {
    id: string;
    hash: string;
    site: string;
    labels: Labels;
    expiresAt: string;
    createdBy: string;
  }): EnrollmentToken;
  /** Sites that are coming: named by an unused enrollment token that has not expired at `now`. */
  pendingSites(now: string): { site: string; labels: Labels }[];
  /** Spends an unexpired, unused token and enrolls (or re-enrolls) its site, all at once. */
  enroll(tokenHash: string, now: string, credentialHash: string, agentVersion: string | null): SiteRecord;

  getSite(id: string): SiteRecord | undefined;
  siteByCredential(hash: string): SiteRecord | undefined;
  /** A page of sites in enrollment order; `where` filters inside the paging, so a page is full when more match. */
  listSites(q: { limit: number; cursor?: string; where?: (s: SiteRecord) => boolean }): Page<SiteRecord>;
  allSites(): SiteRecord[];
  /** Site names and label values, for reading site names in plain language (cached between site changes). */
  siteDirectory(): SiteDirectory;
  setSiteLabels(id: string, labels: Labels): SiteRecord;
  requestResync(id: string, at: string): SiteRecord;
  deleteSite(id: string): void;
  /**
   * Records what an intent's new revision (or, with `revision` null, its deletion) means per site: sites
   * the selector picks get the revision, sites it no longer reaches get a tombstone; each changed site's
   * desiredVersion goes up by one. Returns the changes, for the sync service to send.
   */
  retargetIntent(intentId: string, revision: number | null, selector: SiteSelector | null): SiteChange[];
  /** The same for one site whose labels (or enrollment) changed: every active intent is weighed again. */
  retargetSite(siteId: string): SiteChange[];
  /** What changed for a site after version `since` (tombstones only when since > 0), and its version now. */
  desiredSince(siteId: string, since: number): { version: number; changes: DesiredRow[] };
  /** The intents a site should hold now, with their revisions. */
  desiredSet(siteId: string): { id: string; revision: number }[];
  /** Acknowledgements, presence and reports from sites, in one transaction; returns how many reports were new. */
  recordSync(batch: SyncBatch): number;
  setBrokerSecrets(siteId: string, s: { natsNkey: string; mqttHash: string }): void;
  brokerSecrets(): { site: string; natsNkey: string | null; mqttHash: string | null }[];
  /** Runs `fn` as one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;

  /** Stores a report unless an equal or newer reportSeq is already there; returns whether it was new. */
  putReport(r: SiteIntentReport): boolean;
  /** putReport for many, in one transaction; returns how many were new. */
  putReports(rs: readonly SiteIntentReport[]): number;
  reportsForIntent(intentId: string): SiteIntentReport[];
  /** Per site the intent is desired at (with `removing`, also still to remove it): presence and report gist. */
  rollupRows(intentId: string, removing?: boolean): RollupRow[];
  /** The message of each listed site's report on the intent: its first condition that is not True. */
  reportMessages(intentId: string, siteIds: readonly string[]): Map<string, string | undefined>;
  reportsForSite(siteId: string): SiteIntentReport[];

  audit(e: { actor: string; action: string; target: string; detail?: Record<string, unknown> }): void;
  listAudit(q: { limit: number; cursor?: string }): Page<AuditEntry>;
}
