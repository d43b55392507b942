/** The default hub store: SQLite (better-sqlite3, WAL). */
import Database from "better-sqlite3";
import type { Intent, Labels, Phase, SiteIntentReport, SiteSelector } from "@nephoran/shared";
import {
  SiteIntentReport as ReportSchema,
  applyMigrations,
  blockingMessage,
  isLocalIntentId,
  selects,
  statementCache,
} from "@nephoran/shared";
import { MIGRATIONS } from "./migrations";
import { SqliteAccess } from "./sqlite-access";
import type {
  ApiToken,
  AuditEntry,
  EnrollmentToken,
  HubStore,
  IdempotentAnswer,
  NewApiToken,
  IntentChange,
  IntentQuery,
  NewIntent,
  Page,
  RollupRow,
  SiteChange,
  SiteDirectory,
  SiteRecord,
  DesiredRow,
  SyncBatch,
} from "./types";
import { HubStoreError, StoreErrorCode } from "./types";

interface IntentRow {
  seq: number;
  id: string;
  name: string;
  text: string | null;
  description: string | null;
  plan: string;
  site_selector: string;
  revision: number;
  priority: string;
  state: string;
  created_at: string;
  updated_at: string;
  created_by: string;
}

interface SiteRow {
  seq: number;
  id: string;
  labels: string;
  enrolled_at: string;
  last_seen: string | null;
  gone_at: string | null;
  agent_version: string | null;
  desired_version: number;
  reported_version: number;
  resync_requested_at: string | null;
  credential_hash: string;
}

// Rows were validated when written; reading trusts them (no re-parse on the hot path).
const toIntent = (r: IntentRow): Intent =>
  ({
    id: r.id,
    name: r.name,
    ...(r.text !== null ? { text: r.text } : {}),
    ...(r.description !== null ? { description: r.description } : {}),
    plan: JSON.parse(r.plan),
    siteSelector: JSON.parse(r.site_selector),
    revision: r.revision,
    priority: r.priority,
    state: r.state,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
  }) as Intent;

const toSite = (r: SiteRow): SiteRecord => ({
  id: r.id,
  labels: JSON.parse(r.labels) as Labels,
  enrolledAt: r.enrolled_at,
  lastSeen: r.last_seen,
  goneAt: r.gone_at,
  agentVersion: r.agent_version,
  desiredVersion: r.desired_version,
  reportedVersion: r.reported_version,
  resyncRequestedAt: r.resync_requested_at,
  credentialId: r.credential_hash.slice(0, 16),
});

/** Cursors are opaque to clients: the base64 of the last row's sequence number. */
const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString("base64url");
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^s:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m)
    throw new HubStoreError(
      StoreErrorCode.Invalid,
      "invalid cursor: use the nextCursor of the previous page",
    );
  return Number(m[1]);
}

export class SqliteHubStore implements HubStore {
  readonly #db: Database.Database;

  /** Prepared once per SQL text, at most 256 kept (statementCache). */
  readonly #stmt: (sql: string) => Database.Statement;
  readonly #now: () => Date;

  constructor(file: string, now: () => Date = () => new Date()) {
    this.#db = new Database(file);
    this.#stmt = statementCache(this.#db);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma("busy_timeout = 5000");
    applyMigrations(this.#db, MIGRATIONS);
    this.#now = now;
    this.#access = new SqliteAccess(this.#stmt, () => this.#iso());
  }

  ping(): boolean {
    return (this.#stmt("SELECT 1 AS ok").get() as { ok: number }).ok === 1;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  readonly #access: SqliteAccess;
  /** The site names and label values, kept until a site is enrolled, relabelled or deleted (one writer). */
  #directory: SiteDirectory | undefined;

  siteDirectory(): SiteDirectory {
    if (this.#directory) return this.#directory;
    const names = new Set<string>();
    const labelKeys = new Map<string, Set<string>>();
    for (const r of this.#stmt("SELECT id, labels FROM sites").all() as { id: string; labels: string }[]) {
      names.add(r.id);
      for (const [k, v] of Object.entries(JSON.parse(r.labels) as Labels))
        labelKeys.set(v, (labelKeys.get(v) ?? new Set()).add(k));
    }
    return (this.#directory = { names, labelKeys });
  }
  addApiToken(t: NewApiToken): ApiToken {
    return this.#access.addApiToken(t);
  }
  tokenByHash(hash: string): ApiToken | undefined {
    return this.#access.tokenByHash(hash);
  }
  getApiToken(id: string): ApiToken | undefined {
    return this.#access.getApiToken(id);
  }
  listApiTokens(): ApiToken[] {
    return this.#access.listApiTokens();
  }
  countApiTokens(): number {
    return this.#access.countApiTokens();
  }
  revokeApiToken(id: string): ApiToken {
    return this.#access.revokeApiToken(id);
  }
  touchApiToken(hash: string, at: Date): void {
    this.#access.touchApiToken(hash, at);
  }
  getIdempotent(scope: string, key: string): IdempotentAnswer | undefined {
    return this.#access.getIdempotent(scope, key);
  }
  claimIdempotent(scope: string, key: string, bodyHash: string): boolean {
    return this.#access.claimIdempotent(scope, key, bodyHash);
  }
  completeIdempotent(scope: string, key: string, status: number, response: string): void {
    this.#access.completeIdempotent(scope, key, status, response);
  }
  purgeIdempotentKey(scope: string, key: string): void {
    this.#access.purgeIdempotentKey(scope, key);
  }
  purgeIdempotent(before: string): number {
    return this.#access.purgeIdempotent(before);
  }

  createIntent(i: NewIntent): Intent {
    const now = this.#iso();
    try {
      this.#stmt(
        `INSERT INTO intents (id, name, text, description, plan, site_selector, revision, priority, state, created_at, updated_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'active', ?, ?, ?)`,
      ).run(
        i.id,
        i.name,
        i.text ?? null,
        i.description ?? null,
        JSON.stringify(i.plan),
        JSON.stringify(i.siteSelector),
        i.priority,
        now,
        now,
        i.createdBy,
      );
    } catch (e: unknown) {
      if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE")
        throw new HubStoreError(StoreErrorCode.Conflict, `intent ${i.id} exists`);
      throw e;
    }
    return {
      id: i.id,
      name: i.name,
      ...(i.text !== undefined ? { text: i.text } : {}),
      ...(i.description !== undefined ? { description: i.description } : {}),
      plan: i.plan,
      siteSelector: i.siteSelector,
      revision: 1,
      priority: i.priority,
      state: "active",
      createdAt: now,
      updatedAt: now,
      createdBy: i.createdBy,
    };
  }

  getIntent(id: string): Intent | undefined {
    const r = this.#stmt("SELECT * FROM intents WHERE id = ?").get(id) as IntentRow | undefined;
    return r && toIntent(r);
  }

  listIntents(q: IntentQuery): Page<Intent> {
    const where = ["seq > @after"];
    if (q.state) where.push("state = @state");
    if (q.priority) where.push("priority = @priority");
    // Which intents a site runs: the per-site desired table sync uses, the one answer to that question.
    if (q.site)
      where.push(
        "EXISTS (SELECT 1 FROM site_desired d WHERE d.intent_id = intents.id AND d.site_id = @site AND d.deleted = 0)",
      );
    const rows = this.#stmt(
      `SELECT * FROM intents WHERE ${where.join(" AND ")} ORDER BY seq LIMIT @limit`,
    ).all({
      after: decodeCursor(q.cursor),
      state: q.state,
      priority: q.priority,
      site: q.site,
      limit: q.limit + 1,
    }) as IntentRow[];
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items: items.map(toIntent),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.seq) : null,
    };
  }

  updateIntent(id: string, ifRevision: number, change: IntentChange): Intent {
    return this.#db.transaction(() => {
      const cur = this.getIntent(id);
      if (!cur) throw new HubStoreError(StoreErrorCode.NotFound, `no intent ${id}`);
      if (cur.revision !== ifRevision)
        throw new HubStoreError(
          StoreErrorCode.Stale,
          `intent ${id} is at revision ${cur.revision}, not ${ifRevision}`,
        );
      if (cur.state !== "active")
        throw new HubStoreError(StoreErrorCode.Conflict, `intent ${id} is being deleted`);
      const next = {
        name: change.name ?? cur.name,
        text: change.text !== undefined ? change.text : (cur.text ?? null),
        plan: JSON.stringify(change.plan ?? cur.plan),
        selector: JSON.stringify(change.siteSelector ?? cur.siteSelector),
        priority: change.priority ?? cur.priority,
      };
      this.#stmt(
        "UPDATE intents SET name = ?, text = ?, plan = ?, site_selector = ?, priority = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
      ).run(next.name, next.text, next.plan, next.selector, next.priority, this.#iso(), id);
      return this.getIntent(id) as Intent;
    })();
  }

  markIntentDeleting(id: string): Intent {
    const changed = this.#stmt(
      "UPDATE intents SET state = 'deleting', revision = revision + 1, updated_at = ? WHERE id = ? AND state = 'active'",
    ).run(this.#iso(), id);
    const cur = this.getIntent(id);
    if (!cur) throw new HubStoreError(StoreErrorCode.NotFound, `no intent ${id}`);
    if (changed.changes === 0)
      throw new HubStoreError(StoreErrorCode.Conflict, `intent ${id} is already being deleted`);
    return cur;
  }

  countIntents(): number {
    return (this.#stmt("SELECT count(*) AS n FROM intents").get() as { n: number }).n;
  }

  createEnrollmentToken(t: {
    id: string;
    hash: string;
    site: string;
    labels: Labels;
    expiresAt: string;
    createdBy: string;
  }): EnrollmentToken {
    this.#stmt(
      "INSERT INTO enrollment_tokens (id, hash, site, labels, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(t.id, t.hash, t.site, JSON.stringify(t.labels), t.expiresAt, t.createdBy);
    return {
      id: t.id,
      site: t.site,
      labels: t.labels,
      expiresAt: t.expiresAt,
      usedAt: null,
      createdBy: t.createdBy,
    };
  }

  pendingSites(now: string): { site: string; labels: Labels }[] {
    return (
      this.#stmt(
        "SELECT site, labels FROM enrollment_tokens WHERE used_at IS NULL AND expires_at > ? ORDER BY site",
      ).all(now) as { site: string; labels: string }[]
    ).map((r) => ({ site: r.site, labels: JSON.parse(r.labels) as Labels }));
  }

  enroll(tokenHash: string, now: string, credentialHash: string, agentVersion: string | null): SiteRecord {
    this.#directory = undefined;
    return this.#db.transaction(() => {
      const t = this.#stmt("SELECT * FROM enrollment_tokens WHERE hash = ?").get(tokenHash) as
        { id: string; site: string; labels: string; expires_at: string; used_at: string | null } | undefined;
      if (!t) throw new HubStoreError(StoreErrorCode.NotFound, "unknown enrollment token");
      if (t.used_at)
        throw new HubStoreError(StoreErrorCode.Conflict, "this enrollment token was already used");
      if (t.expires_at <= now)
        throw new HubStoreError(StoreErrorCode.Conflict, "this enrollment token has expired");
      this.#stmt("UPDATE enrollment_tokens SET used_at = ? WHERE id = ?").run(now, t.id);
      this.#stmt(
        `INSERT INTO sites (id, labels, enrolled_at, agent_version, credential_hash, desired_version) VALUES (?, ?, ?, ?, ?, 1)
           ON CONFLICT (id) DO UPDATE SET labels = excluded.labels, enrolled_at = excluded.enrolled_at, agent_version = excluded.agent_version,
             credential_hash = excluded.credential_hash, desired_version = sites.desired_version + 1`,
      ).run(t.site, t.labels, now, agentVersion, credentialHash);
      return this.getSite(t.site) as SiteRecord;
    })();
  }

  getSite(id: string): SiteRecord | undefined {
    const r = this.#stmt("SELECT * FROM sites WHERE id = ?").get(id) as SiteRow | undefined;
    return r && toSite(r);
  }

  siteByCredential(hash: string): SiteRecord | undefined {
    const r = this.#stmt("SELECT * FROM sites WHERE credential_hash = ?").get(hash) as SiteRow | undefined;
    return r && toSite(r);
  }

  listSites(q: { limit: number; cursor?: string; where?: (s: SiteRecord) => boolean }): Page<SiteRecord> {
    const out: SiteRecord[] = [];
    let after = decodeCursor(q.cursor);
    let lastSeq = after;
    const stmt = this.#stmt("SELECT * FROM sites WHERE seq > ? ORDER BY seq LIMIT 500");
    // Filters are evaluated here, in pages, so a page is full whenever more match and a cursor stays
    // meaningful whatever the filter.
    for (;;) {
      const rows = stmt.all(after) as SiteRow[];
      for (const r of rows) {
        const site = toSite(r);
        if (q.where && !q.where(site)) continue;
        if (out.length === q.limit) return { items: out, nextCursor: encodeCursor(lastSeq) };
        out.push(site);
        lastSeq = r.seq;
      }
      if (rows.length < 500) return { items: out, nextCursor: null };
      after = (rows.at(-1) as SiteRow).seq;
    }
  }

  allSites(): SiteRecord[] {
    return (this.#stmt("SELECT * FROM sites ORDER BY seq").all() as SiteRow[]).map(toSite);
  }

  setSiteLabels(id: string, labels: Labels): SiteRecord {
    this.#directory = undefined;
    const n = this.#stmt("UPDATE sites SET labels = ? WHERE id = ?").run(JSON.stringify(labels), id).changes;
    if (!n) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${id}`);
    return this.getSite(id) as SiteRecord;
  }

  requestResync(id: string, at: string): SiteRecord {
    const n = this.#stmt("UPDATE sites SET resync_requested_at = ? WHERE id = ?").run(at, id).changes;
    if (!n) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${id}`);
    return this.getSite(id) as SiteRecord;
  }

  deleteSite(id: string): void {
    this.#directory = undefined;
    this.#db.transaction(() => {
      const n = this.#stmt("DELETE FROM sites WHERE id = ?").run(id).changes;
      if (!n) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${id}`);
      this.#stmt("DELETE FROM site_reports WHERE site_id = ?").run(id);
      this.#stmt("DELETE FROM site_desired WHERE site_id = ?").run(id);
    })();
  }

  /** A WHERE clause over `sites` picking what the selector picks (labels compared in SQL). */
  #selectorClause(sel: SiteSelector): { sql: string; params: unknown[] } | undefined {
    if (sel.all) return { sql: "1", params: [] };
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (sel.names?.length) {
      clauses.push(`id IN (${sel.names.map(() => "?").join(",")})`);
      params.push(...sel.names);
    }
    const labels = Object.entries(sel.matchLabels ?? {});
    if (labels.length) {
      clauses.push(`(${labels.map(() => "json_extract(labels, ?) = ?").join(" AND ")})`);
      for (const [k, v] of labels) params.push(`$."${k.replace(/"/g, '""')}"`, v);
    }
    return clauses.length ? { sql: clauses.join(" OR "), params } : undefined;
  }

  retargetIntent(intentId: string, revision: number | null, selector: SiteSelector | null): SiteChange[] {
    return this.#db.transaction(() => {
      const targets = new Set<string>();
      const clause = revision !== null && selector ? this.#selectorClause(selector) : undefined;
      if (clause) {
        // Not cached: the SQL varies with the selector, and the statement cache must stay bounded.
        for (const r of this.#db
          .prepare(`SELECT id FROM sites WHERE ${clause.sql}`)
          .all(...clause.params) as {
          id: string;
        }[])
          targets.add(r.id);
      }
      const existing = new Map(
        (
          this.#stmt("SELECT site_id, revision, deleted FROM site_desired WHERE intent_id = ?").all(
            intentId,
          ) as {
            site_id: string;
            revision: number;
            deleted: number;
          }[]
        ).map((r) => [r.site_id, r]),
      );
      const changes: SiteChange[] = [];
      for (const site of targets) {
        const e = existing.get(site);
        if (e && !e.deleted && e.revision === revision) continue;
        changes.push(this.#setDesired(site, intentId, revision as number, false));
      }
      for (const [site, e] of existing) {
        if (e.deleted || targets.has(site)) continue;
        changes.push(this.#setDesired(site, intentId, e.revision, true));
      }
      return changes;
    })();
  }

  #setDesired(
    site: string,
    intentId: string,
    revision: number,
    deleted: boolean,
    version?: number,
  ): SiteChange {
    const v =
      version ??
      (
        this.#stmt(
          "UPDATE sites SET desired_version = desired_version + 1 WHERE id = ? RETURNING desired_version",
        ).get(site) as { desired_version: number }
      ).desired_version;
    this.#stmt(
      `INSERT INTO site_desired (site_id, intent_id, revision, version, deleted) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site_id, intent_id) DO UPDATE SET revision = excluded.revision, version = excluded.version, deleted = excluded.deleted`,
    ).run(site, intentId, revision, v, deleted ? 1 : 0);
    return { site, version: v, base: v - 1, intentId, revision, deleted };
  }

  retargetSite(siteId: string): SiteChange[] {
    return this.#db.transaction(() => {
      const site = this.getSite(siteId);
      if (!site) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${siteId}`);
      const wanted = new Map<string, number>();
      for (const r of this.#stmt(
        "SELECT id, revision, site_selector FROM intents WHERE state = 'active'",
      ).all() as {
        id: string;
        revision: number;
        site_selector: string;
      }[]) {
        if (selects(JSON.parse(r.site_selector) as SiteSelector, site)) wanted.set(r.id, r.revision);
      }
      const have = this.#stmt("SELECT intent_id, revision, deleted FROM site_desired WHERE site_id = ?").all(
        siteId,
      ) as { intent_id: string; revision: number; deleted: number }[];
      const todo: [string, number, boolean][] = [];
      const seen = new Set<string>();
      for (const h of have) {
        seen.add(h.intent_id);
        const rev = wanted.get(h.intent_id);
        if (rev !== undefined && (h.deleted || h.revision !== rev)) todo.push([h.intent_id, rev, false]);
        if (rev === undefined && !h.deleted) todo.push([h.intent_id, h.revision, true]);
      }
      for (const [id, rev] of wanted) if (!seen.has(id)) todo.push([id, rev, false]);
      if (!todo.length) return [];
      // One new version for the whole batch: a site acknowledges it as one snapshot.
      const v = (
        this.#stmt(
          "UPDATE sites SET desired_version = desired_version + 1 WHERE id = ? RETURNING desired_version",
        ).get(siteId) as { desired_version: number }
      ).desired_version;
      return todo.map(([id, rev, del]) => this.#setDesired(siteId, id, rev, del, v));
    })();
  }

  desiredSince(siteId: string, since: number): { version: number; changes: DesiredRow[] } {
    const site = this.#stmt("SELECT desired_version FROM sites WHERE id = ?").get(siteId) as
      { desired_version: number } | undefined;
    if (!site) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${siteId}`);
    const rows = this.#stmt(
      "SELECT intent_id, revision, deleted FROM site_desired WHERE site_id = ? AND version > ? AND (deleted = 0 OR ? > 0) ORDER BY version",
    ).all(siteId, since, since) as { intent_id: string; revision: number; deleted: number }[];
    return {
      version: site.desired_version,
      changes: rows.map((r) => ({ intentId: r.intent_id, revision: r.revision, deleted: r.deleted === 1 })),
    };
  }

  desiredSet(siteId: string): { id: string; revision: number }[] {
    return (
      this.#stmt("SELECT intent_id, revision FROM site_desired WHERE site_id = ? AND deleted = 0").all(
        siteId,
      ) as {
        intent_id: string;
        revision: number;
      }[]
    ).map((r) => ({ id: r.intent_id, revision: r.revision }));
  }

  recordSync(batch: SyncBatch): number {
    return this.#db.transaction(() => {
      const seen = this.#stmt(
        "UPDATE sites SET last_seen = ?, agent_version = coalesce(?, agent_version) WHERE id = ?",
      );
      for (const s of batch.seen) seen.run(s.at, s.agentVersion ?? null, s.site);
      const gone = this.#stmt("UPDATE sites SET gone_at = ? WHERE id = ?");
      for (const g of batch.gone ?? []) gone.run(g.at, g.site);
      const acked = this.#stmt("UPDATE sites SET reported_version = max(reported_version, ?) WHERE id = ?");
      for (const a of batch.acks) acked.run(a.version, a.site);
      const fresh = batch.reports.reduce((n, r) => n + (this.putReport(r) ? 1 : 0), 0);
      if (batch.acks.length) {
        // An intent being deleted is gone once every site it was on has acknowledged its removal.
        const purged = this.#stmt(
          `DELETE FROM intents WHERE state = 'deleting' AND NOT EXISTS (
             SELECT 1 FROM site_desired d JOIN sites s ON s.id = d.site_id
             WHERE d.intent_id = intents.id AND (d.deleted = 0 OR s.reported_version < d.version))
           RETURNING id`,
        ).all() as { id: string }[];
        // Its reports go with it, so it never comes back as anything else.
        const drop = this.#stmt("DELETE FROM site_reports WHERE intent_id = ?");
        for (const p of purged) drop.run(p.id);
      }
      return fresh;
    })();
  }

  setBrokerSecrets(siteId: string, s: { natsNkey: string; mqttHash: string }): void {
    this.#stmt("UPDATE sites SET nats_nkey = ?, mqtt_hash = ? WHERE id = ?").run(
      s.natsNkey,
      s.mqttHash,
      siteId,
    );
  }

  brokerSecrets(): { site: string; natsNkey: string | null; mqttHash: string | null }[] {
    return (
      this.#stmt("SELECT id, nats_nkey, mqtt_hash FROM sites ORDER BY seq").all() as {
        id: string;
        nats_nkey: string | null;
        mqtt_hash: string | null;
      }[]
    ).map((r) => ({ site: r.id, natsNkey: r.nats_nkey, mqttHash: r.mqtt_hash }));
  }

  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  putReport(r: SiteIntentReport): boolean {
    const report = ReportSchema.parse(r);
    return this.#db.transaction(() => {
      // A late report about a fleet intent the hub no longer holds (purged after every site let it go) is
      // dropped: only the site's own intents live at the hub by their reports alone.
      if (
        !isLocalIntentId(report.intentId) &&
        !this.#stmt("SELECT 1 FROM intents WHERE id = ?").get(report.intentId)
      )
        return false;
      const cur = this.#stmt("SELECT report_seq FROM site_reports WHERE site_id = ? AND intent_id = ?").get(
        report.siteId,
        report.intentId,
      ) as { report_seq: number } | undefined;
      if (cur && cur.report_seq >= report.reportSeq) return false;
      this.#stmt(
        `INSERT INTO site_reports (site_id, intent_id, revision, phase, report, report_seq, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (site_id, intent_id) DO UPDATE SET revision = excluded.revision, phase = excluded.phase, report = excluded.report,
             report_seq = excluded.report_seq, observed_at = excluded.observed_at`,
      ).run(
        report.siteId,
        report.intentId,
        report.revision,
        report.phase,
        JSON.stringify(report),
        report.reportSeq,
        report.observedAt,
      );
      this.#stmt("UPDATE sites SET last_seen = ? WHERE id = ?").run(this.#iso(), report.siteId);
      return true;
    })();
  }

  putReports(rs: readonly SiteIntentReport[]): number {
    return this.#db.transaction(() => rs.reduce((n, r) => n + (this.putReport(r) ? 1 : 0), 0))();
  }

  rollupRows(intentId: string, removing = false): RollupRow[] {
    // Only what the rollup needs per site; a report's JSON is read for an Applied one alone (is its Ready
    // condition Unknown?), never whole.
    return (
      this.#stmt(
        `SELECT s.id, s.last_seen, s.gone_at, r.revision, r.phase,
           CASE WHEN r.phase = 'Applied' THEN EXISTS (
             SELECT 1 FROM json_each(r.report, '$.conditions') c
             WHERE json_extract(c.value, '$.type') = 'Ready' AND json_extract(c.value, '$.status') = 'Unknown'
           ) ELSE 0 END AS unobservable
         FROM site_desired d JOIN sites s ON s.id = d.site_id
         LEFT JOIN site_reports r ON r.site_id = d.site_id AND r.intent_id = d.intent_id
         WHERE d.intent_id = ? AND (d.deleted = 0 OR ? = 1) ORDER BY s.seq`,
      ).all(intentId, removing ? 1 : 0) as {
        id: string;
        last_seen: string | null;
        gone_at: string | null;
        revision: number | null;
        phase: Phase | null;
        unobservable: number;
      }[]
    ).map((r) => ({
      siteId: r.id,
      lastSeen: r.last_seen,
      goneAt: r.gone_at,
      report:
        r.revision === null || r.phase === null
          ? null
          : { revision: r.revision, phase: r.phase, unobservable: r.unobservable === 1 },
    }));
  }

  reportMessages(intentId: string, siteIds: readonly string[]): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    if (siteIds.length === 0) return out;
    const rows = this.#db
      .prepare(
        `SELECT site_id, report FROM site_reports WHERE intent_id = ? AND site_id IN (${siteIds.map(() => "?").join(",")})`,
      )
      .all(intentId, ...siteIds) as { site_id: string; report: string }[];
    for (const r of rows) {
      const report = JSON.parse(r.report) as SiteIntentReport;
      out.set(r.site_id, blockingMessage(report.conditions));
    }
    return out;
  }

  reportsForIntent(intentId: string): SiteIntentReport[] {
    return (
      this.#stmt("SELECT report FROM site_reports WHERE intent_id = ?").all(intentId) as {
        report: string;
      }[]
    ).map((r) => JSON.parse(r.report) as SiteIntentReport);
  }

  reportsForSite(siteId: string): SiteIntentReport[] {
    return (
      this.#stmt("SELECT report FROM site_reports WHERE site_id = ?").all(siteId) as {
        report: string;
      }[]
    ).map((r) => JSON.parse(r.report) as SiteIntentReport);
  }

  audit(e: { actor: string; action: string; target: string; detail?: Record<string, unknown> }): void {
    this.#stmt("INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)").run(
      this.#iso(),
      e.actor,
      e.action,
      e.target,
      JSON.stringify(e.detail ?? {}),
    );
  }

  listAudit(q: { limit: number; cursor?: string }): Page<AuditEntry> {
    const rows = this.#stmt("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?").all(
      decodeCursor(q.cursor),
      q.limit + 1,
    ) as {
      seq: number;
      at: string;
      actor: string;
      action: string;
      target: string;
      detail: string;
    }[];
    const items = rows.slice(0, q.limit);
    const last = items.at(-1);
    return {
      items: items.map((r) => ({
        seq: r.seq,
        at: r.at,
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.seq) : null,
    };
  }

  #iso(): string {
    return this.#now().toISOString();
  }
}
