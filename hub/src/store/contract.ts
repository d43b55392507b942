/**
 * The hub's store: one asynchronous contract, split per aggregate, that SQLite (one machine) and
 * PostgreSQL (several replicas) both keep. Every method is one atomic step; `transaction` makes several
 * one, across aggregates.
 */
import type { Intent, Labels, RollupPhase, SiteIntentReport, SiteSelector } from "@nephoran/shared";
import type {
  ApiToken,
  AuditEntry,
  DesiredRow,
  EnrollmentToken,
  NewEnrollmentToken,
  IdempotentAnswer,
  IntentChange,
  IntentQuery,
  NewApiToken,
  NewAuditEntry,
  NewIntent,
  Page,
  RetargetIntent,
  RolloutRecord,
  RolloutSite,
  FulfilmentQuery,
  IntentReportRecord,
  ListenerRecord,
  FulfilmentTally,
  RollupQuery,
  RollupTally,
  SiteChange,
  SiteDirectory,
  SiteRecord,
  SyncBatch,
} from "./types";

/** Who may call the API. */
export interface TokenRepo {
  add(t: NewApiToken): Promise<ApiToken>;
  /** The token with this hash, revoked and expired ones included (the caller decides). */
  byHash(hash: string): Promise<ApiToken | undefined>;
  get(id: string): Promise<ApiToken | undefined>;
  list(): Promise<ApiToken[]>;
  /** Tokens that are not revoked. */
  countActive(): Promise<number>;
  /** Revokes at once: the next request with it is refused, on every replica. */
  revoke(id: string): Promise<ApiToken>;
  /** Records a use of the token with this hash (written at most once a minute per token). */
  touch(hash: string, at: Date): Promise<void>;
}

/** The answers requests with an Idempotency-Key got, so a retry gets the same one. */
export interface IdempotencyRepo {
  /** The answer (status > 0) or the claim (status 0) of a request with this key. */
  get(scope: string, key: string): Promise<IdempotentAnswer | undefined>;
  /** Claims (scope, key) for a request about to run; false when another request holds it. */
  claim(scope: string, key: string, bodyHash: string): Promise<boolean>;
  complete(scope: string, key: string, status: number, response: string): Promise<void>;
  release(scope: string, key: string): Promise<void>;
  /** Drops answers recorded before `before` (ISO time); returns how many. */
  purgeBefore(before: string): Promise<number>;
}

/** Intents and their revisions. */
export interface IntentRepo {
  create(i: NewIntent): Promise<Intent>;
  /** Several new intents in one statement each for them and their first revisions (group commit). */
  createMany(list: readonly NewIntent[]): Promise<Intent[]>;
  get(id: string): Promise<Intent | undefined>;
  list(q: IntentQuery): Promise<Page<Intent>>;
  /** Applies a change if `ifRevision` is the current revision; the revision goes up by one. */
  update(id: string, ifRevision: number, change: IntentChange): Promise<Intent>;
  markDeleting(id: string): Promise<Intent>;
  /** Removes the intents being deleted that no site holds any more (see `purgeReleased`); their ids. */
  purgeReleased(): Promise<string[]>;
  count(): Promise<number>;
  /** The intent as it was at `revision` (every revision made by create, update or rollback is kept). */
  revision(id: string, revision: number): Promise<Intent | undefined>;
  /** Every revision kept, oldest first. */
  revisions(id: string): Promise<Intent[]>;
}

/** One-time enrollment tokens, and spending one. */
export interface EnrollmentRepo {
  issue(t: NewEnrollmentToken): Promise<EnrollmentToken>;
  /** Sites that are coming: named by an unused enrollment token that has not expired at `now`. */
  pending(now: string): Promise<{ site: string; labels: Labels }[]>;
  /** Spends an unexpired, unused token and enrolls (or re-enrolls) its site, all at once; only one spender wins. */
  enroll(
    tokenHash: string,
    now: string,
    credentialHash: string,
    agentVersion: string | null,
  ): Promise<SiteRecord>;
}

/** Sites, their labels and presence, and their broker credentials. */
export interface SiteRepo {
  get(id: string): Promise<SiteRecord | undefined>;
  /** The sites of these names that are enrolled, in one read (an unknown name is absent from the map). */
  getMany(ids: readonly string[]): Promise<Map<string, SiteRecord>>;
  byCredential(hash: string): Promise<SiteRecord | undefined>;
  /** A page of sites in enrollment order; `where` filters inside the paging, so a page is full when more match. */
  list(q: { limit: number; cursor?: string; where?: (s: SiteRecord) => boolean }): Promise<Page<SiteRecord>>;
  all(): Promise<SiteRecord[]>;
  /**
   * Every site, in enrollment order, and whether it is online: heard from since `onlineSince` and not gone
   * since (presenceOf's test, in the database: a look over a large fleet without reading its sites whole).
   */
  presence(onlineSince: string): Promise<Map<string, boolean>>;
  /** Site names and label values, for reading site names in plain language (cached briefly). */
  directory(): Promise<SiteDirectory>;
  setLabels(id: string, labels: Labels): Promise<SiteRecord>;
  requestResync(id: string, at: string): Promise<SiteRecord>;
  delete(id: string): Promise<void>;
  setBrokerSecrets(siteId: string, s: { natsNkey: string; mqttHash: string }): Promise<void>;
  brokerSecrets(): Promise<{ site: string; natsNkey: string | null; mqttHash: string | null }[]>;
  /** Sites heard from since `onlineSince` that have not acknowledged their desired version, in enrollment order. */
  behind(
    onlineSince: string,
    limit: number,
  ): Promise<{ id: string; desiredVersion: number; reportedVersion: number }[]>;
  /** Every site behind its desired version (online or not), by how many versions, in enrollment order. */
  lagging(): Promise<{ id: string; lag: number }[]>;
}

/** What each site should hold: the per-site desired table sync serves from, and its versions. */
export interface DesiredRepo {
  /**
   * Records what an intent's new revision (or, with `revision` null, its deletion) means per site: sites
   * the selector picks get the revision, sites it no longer reaches get a tombstone; each changed site's
   * desiredVersion goes up by one. Returns the changes, for the sync service to send.
   */
  retargetIntent(
    intentId: string,
    revision: number | null,
    selector: SiteSelector | null,
  ): Promise<SiteChange[]>;
  /**
   * The same for several intents at once: a site several of them change goes up by one version for all of
   * them (its changes come as one, like a site's own retarget).
   */
  retargetIntents(list: readonly RetargetIntent[]): Promise<SiteChange[]>;
  /** The same for one site whose labels (or enrollment) changed: every active intent is weighed again. */
  retargetSite(siteId: string): Promise<SiteChange[]>;
  /** What changed for a site after version `since` (tombstones only when since > 0), and its version now. */
  since(siteId: string, since: number): Promise<{ version: number; changes: DesiredRow[] }>;
  /**
   * Sets what each listed site should hold of the intent: a revision, or (null) nothing — a tombstone where
   * it held something. Sites not listed are left as they are; each changed site's version goes up.
   */
  assign(intentId: string, wanted: ReadonlyMap<string, number | null>): Promise<SiteChange[]>;
  /** The enrolled sites a selector picks, in name order. */
  targets(selector: SiteSelector): Promise<{ id: string; labels: Record<string, string> }[]>;
  /** The intents a site should hold now, with their revisions. */
  set(siteId: string): Promise<{ id: string; revision: number }[]>;
}

/** What sites say: acknowledgements, presence and reports, and the rollup read from them. */
export interface ReportRepo {
  /**
   * Acknowledgements, presence and reports from sites, in one transaction; returns how many reports were new.
   * Who was heard from is the batch's `seen`: its reports do not mark their sites seen.
   */
  record(batch: SyncBatch): Promise<number>;
  /**
   * Stores reports unless an equal or newer reportSeq is there already, their sites heard from now; returns
   * how many were new.
   */
  put(rs: readonly SiteIntentReport[]): Promise<number>;
  forIntent(intentId: string): Promise<SiteIntentReport[]>;
  forSite(siteId: string): Promise<SiteIntentReport[]>;
  /**
   * How the intent's rollout stands, counted per phase from the tally the database keeps as desired rows
   * change; the worst sites listed.
   */
  rollup(q: RollupQuery): Promise<RollupTally>;
  /** Folds the rollup tally's entries per intent and key into one: the leading replica's upkeep. */
  fold(): Promise<void>;
  /**
   * Every active intent's worst phase across the sites it targets (Offline for a site not heard from since
   * `onlineSince`), by intent id; an intent that targets no site is not listed.
   */
  worstPhases(onlineSince: string): Promise<Map<string, RollupPhase>>;
  /** The message of each listed site's report on the intent: its first condition that is not True. */
  messages(intentId: string, siteIds: readonly string[]): Promise<Map<string, string | undefined>>;
  /** How the intent's expectations stand across its targeted sites: counts by each site's worst, the worst sites. */
  fulfilment(q: FulfilmentQuery): Promise<FulfilmentTally>;
}

export interface AuditRepo {
  /** One entry, or several in one statement. */
  append(e: NewAuditEntry | readonly NewAuditEntry[]): Promise<void>;
  list(q: { limit: number; cursor?: string }): Promise<Page<AuditEntry>>;
}

/** Every aggregate: what a transaction may touch. */
/** Staged rollouts, and their sites as the controller sees them. */
export interface RolloutRepo {
  /** Writes the record whole (the one controller driving it is its only writer). */
  put(r: RolloutRecord): Promise<void>;
  /** The intent's newest rollout, whatever its state. */
  latest(intentId: string): Promise<RolloutRecord | undefined>;
  /** Rollouts Progressing or Paused. */
  unfinished(): Promise<RolloutRecord[]>;
  /** Each enrolled site among `siteIds`: what it should hold of the intent, what it reported, presence. */
  sites(intentId: string, siteIds: readonly string[]): Promise<RolloutSite[]>;
}

/** An intent's fulfilment reports (TMF921 IntentReport), newest first. */
export interface IntentReportRepo {
  latest(intentId: string): Promise<IntentReportRecord | undefined>;
  /** Adds a report numbered next, unless the newest has the same state; the report added, if one was. */
  addIfChanged(r: Omit<IntentReportRecord, "seq">): Promise<IntentReportRecord | undefined>;
  list(intentId: string, q: { offset: number; limit: number }): Promise<IntentReportRecord[]>;
  count(intentId: string): Promise<number>;
  get(intentId: string, id: string): Promise<IntentReportRecord | undefined>;
}

/** Listeners for the hub's notifications (TMF921 `/hub`). */
export interface ListenerRepo {
  add(l: Omit<ListenerRecord, "createdAt">): Promise<ListenerRecord>;
  get(id: string): Promise<ListenerRecord | undefined>;
  list(): Promise<ListenerRecord[]>;
  remove(id: string): Promise<void>;
}

export interface HubRepos {
  readonly tokens: TokenRepo;
  readonly idempotency: IdempotencyRepo;
  readonly intents: IntentRepo;
  readonly enrollment: EnrollmentRepo;
  readonly sites: SiteRepo;
  readonly desired: DesiredRepo;
  readonly reports: ReportRepo;
  readonly audit: AuditRepo;
  readonly rollouts: RolloutRepo;
  readonly intentReports: IntentReportRepo;
  readonly listeners: ListenerRepo;
}

/** Messages every hub on the same database hears, itself included (PostgreSQL LISTEN/NOTIFY). */
export interface Broadcast {
  send(channel: string, payload: string): Promise<void>;
  /** Hears `channel` until the returned function is called; a lost connection is made again. */
  listen(channel: string, fn: (payload: string) => void): Promise<() => Promise<void>>;
}

/** One hub replica at a time leads, and runs the duties only one should (a PostgreSQL advisory lock). */
export interface Leadership {
  /** Whether this replica leads now, taking the lead when it is free; false when the database is away. */
  lead(): Promise<boolean>;
  /** Gives the lead up (at stop), so another replica takes it at once. */
  release(): Promise<void>;
}

export interface HubStore extends HubRepos {
  /** Which engine keeps the data: "sqlite" (one hub) or "postgres" (one or several replicas). */
  readonly engine: "sqlite" | "postgres";
  /** Whether the store answers now (for /readyz). */
  ping(): Promise<boolean>;
  /** The store's connections: how many it may open, has open, has idle, and callers waiting for one. */
  pool(): PoolStats;
  close(): Promise<void>;
  /** Where several hubs share the database: how they tell each other (undefined on SQLite: one hub). */
  readonly broadcast?: Broadcast;
  /** Where several hubs share the database: which one leads (undefined on SQLite: the one hub leads). */
  readonly leadership?: Leadership;
  /**
   * Runs `fn` as one transaction over `tx`: all of its writes land, or none. On PostgreSQL a transaction
   * that lost a race with another replica (serialization failure, deadlock) runs again, so `fn` must
   * only touch the store (and not tell anyone) before it returns.
   */
  transaction<T>(fn: (tx: HubRepos) => Promise<T>): Promise<T>;
}

export interface PoolStats {
  readonly max: number;
  readonly open: number;
  readonly idle: number;
  readonly waiting: number;
}
