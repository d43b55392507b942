/** The hub's store behind one interface, so a PostgreSQL implementation can serve several replicas. */
import type { Intent, IntentPlan, Labels, Priority, SiteIntentReport, SiteSelector } from "@nephoran/shared";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
}

export interface SiteRecord {
  readonly id: string;
  readonly labels: Labels;
  readonly enrolledAt: string;
  readonly lastSeen: string | null;
  readonly agentVersion: string | null;
  readonly desiredVersion: number;
  readonly reportedVersion: number;
  readonly resyncRequestedAt: string | null;
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
  readonly plan: IntentPlan;
  readonly siteSelector: SiteSelector;
  readonly priority: Priority;
  readonly createdBy: string;
}

export interface IntentChange {
  readonly name?: string;
  readonly text?: string;
  readonly plan?: IntentPlan;
  readonly siteSelector?: SiteSelector;
  readonly priority?: Priority;
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

  addApiToken(t: { id: string; name: string; role: Role; hash: string }): void;
  tokenByHash(hash: string): ApiToken | undefined;
  countApiTokens(): number;

  createIntent(i: NewIntent): Intent;
  getIntent(id: string): Intent | undefined;
  listIntents(q: {
    limit: number;
    cursor?: string;
    state?: string;
    priority?: string;
    site?: string;
  }): Page<Intent>;
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
  /** Spends an unexpired, unused token and enrolls (or re-enrolls) its site, all at once. */
  enroll(tokenHash: string, now: string, credentialHash: string, agentVersion: string | null): SiteRecord;

  getSite(id: string): SiteRecord | undefined;
  siteByCredential(hash: string): SiteRecord | undefined;
  listSites(q: { limit: number; cursor?: string; label?: Record<string, string> }): Page<SiteRecord>;
  allSites(): SiteRecord[];
  setSiteLabels(id: string, labels: Labels): SiteRecord;
  requestResync(id: string, at: string): SiteRecord;
  deleteSite(id: string): void;
  /** Bumps desiredVersion of every site any of the selectors picks (a change concerns them). */
  bumpDesired(selectors: readonly SiteSelector[]): void;
  /** Runs `fn` as one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T;

  /** Stores a report unless an equal or newer reportSeq is already there; returns whether it was new. */
  putReport(r: SiteIntentReport): boolean;
  /** putReport for many, in one transaction; returns how many were new. */
  putReports(rs: readonly SiteIntentReport[]): number;
  reportsForIntent(intentId: string): SiteIntentReport[];
  reportsForSite(siteId: string): SiteIntentReport[];

  audit(e: { actor: string; action: string; target: string; detail?: Record<string, unknown> }): void;
  listAudit(q: { limit: number; cursor?: string }): Page<AuditEntry>;
}
