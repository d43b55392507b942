/**
 * The agent's local store (SQLite, WAL): intents with their plan and revision, phase history, NF
 * status, and the outbox of reports for the hub. Every write is one transaction, so a crash at any
 * point leaves the previous or the next consistent state.
 */
import Database from "better-sqlite3";
import type {
  Clock,
  IntentPlan,
  NfStatus,
  Phase,
  Priority,
  ReportCondition,
  SiteIntentReport,
} from "@nephoran/shared";
import {
  reportedNfStatus,
  IntentPlan as IntentPlanSchema,
  SiteIntentReport as ReportSchema,
  applyMigrations,
  statementCache,
} from "@nephoran/shared";
import { StoreError, StoreErrorCode } from "./errors";
import { MIGRATIONS } from "./migrations";

export type IntentOrigin = "hub" | "local";

export interface IntentInput {
  readonly id: string;
  readonly name: string;
  readonly text?: string;
  readonly plan: IntentPlan;
  readonly revision: number;
  readonly priority: Priority;
  readonly origin: IntentOrigin;
  readonly createdAt?: string;
}

export interface StoredIntent extends Required<Omit<IntentInput, "text">> {
  readonly text: string | null;
  readonly updatedAt: string;
  readonly phase: Phase;
  readonly conditions: ReportCondition[];
  readonly phaseChangedAt: string;
  readonly appliedRevision: number | null;
}

export interface HistoryEntry {
  readonly revision: number;
  readonly from: Phase | null;
  readonly to: Phase;
  readonly reason: string | null;
  readonly message: string | null;
  readonly at: string;
}

export interface OutboxMessage {
  readonly seq: number;
  readonly id: string;
  readonly kind: "report";
  readonly report: SiteIntentReport;
}

interface IntentRow {
  id: string;
  name: string;
  text: string | null;
  plan: string;
  revision: number;
  priority: Priority;
  origin: IntentOrigin;
  created_at: string;
  updated_at: string;
  phase: Phase;
  conditions: string;
  phase_changed_at: string;
  applied_revision: number | null;
}

export interface PhaseUpdate {
  readonly phase: Phase;
  readonly conditions: readonly ReportCondition[];
  readonly reason?: string;
  readonly message?: string;
  readonly nfStatus?: readonly NfStatus[];
  /** The revision this phase is about; a stale update (older revision) is ignored. */
  readonly revision: number;
}

export class AgentStore {
  readonly #db: Database.Database;

  /** Prepared once per SQL text, at most 256 kept (statementCache). */
  readonly #stmt: (sql: string) => Database.Statement;
  readonly #clock: Clock;
  readonly #site: string;

  private constructor(db: Database.Database, site: string, clock: Clock) {
    this.#db = db;
    this.#stmt = statementCache(db);
    this.#site = site;
    this.#clock = clock;
  }

  /** Opens (creating if needed) the store at `file`; ":memory:" for a throwaway one. */
  static open(file: string, opts: { site: string; clock: Clock }): AgentStore {
    let db: Database.Database;
    try {
      db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      applyMigrations(db, MIGRATIONS);
    } catch (e: unknown) {
      throw new StoreError(
        StoreErrorCode.Corrupt,
        `cannot open the agent store at ${file}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const store = new AgentStore(db, opts.site, opts.clock);
    const recorded = store.getMeta("site");
    if (recorded === undefined) store.setMeta("site", opts.site);
    else if (recorded !== opts.site) {
      db.close();
      throw new StoreError(
        StoreErrorCode.Invalid,
        `the store at ${file} belongs to site "${recorded}", not "${opts.site}"`,
      );
    }
    store.#warm();
    return store;
  }

  /**
   * Compiles the statements a change from the hub runs (compiling costs more than running them) by
   * applying one in a transaction that is then rolled back: the first real change is as fast as the next.
   */
  #warm(): void {
    const rollback = new Error("warm-up rollback");
    try {
      this.#db.transaction(() => {
        const plan: IntentPlan = {
          intentType: "nf.deploy",
          actions: [{ kind: "deploy", nf: "amf" }],
          priority: "low",
          source: "rules",
          confidence: 1,
        };
        const w = {
          id: "warm-up",
          name: "warm-up",
          plan,
          revision: 1,
          priority: "low" as const,
          origin: "hub" as const,
        };
        this.applyDesired({ version: 1, put: [w], deleted: [], full: false });
        this.applyDesired({ version: 2, put: [], deleted: [w.id], full: false });
        this.peekOutbox(1);
        this.ackOutbox(["warm-up"]);
        throw rollback;
      })();
    } catch (e) {
      if (e !== rollback) throw e;
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  get site(): string {
    return this.#site;
  }

  getMeta(key: string): string | undefined {
    const row = this.#stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#stmt(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }

  /**
   * Stores an intent unless the store already has this or a newer revision: applying the same
   * (id, revision) twice is a no-op. Returns whether anything changed.
   */
  upsertIntent(input: IntentInput): boolean {
    const plan = IntentPlanSchema.safeParse(input.plan);
    if (!plan.success)
      throw new StoreError(StoreErrorCode.Invalid, `intent ${input.id}: invalid plan: ${plan.error.message}`);
    if (!Number.isInteger(input.revision) || input.revision < 1) {
      throw new StoreError(StoreErrorCode.Invalid, `intent ${input.id}: revision must be a positive integer`);
    }
    const now = this.#clock.now().toISOString();
    return this.#db.transaction(() => {
      const existing = this.#stmt("SELECT revision, phase FROM intents WHERE id = ?").get(input.id) as
        { revision: number; phase: Phase } | undefined;
      if (existing && existing.revision >= input.revision) return false;
      // One upsert: a new intent starts Pending; a new revision keeps its creation time and order.
      this.#stmt(
        `INSERT INTO intents (id, name, text, plan, revision, priority, origin, created_at, updated_at, phase, phase_changed_at)
           VALUES (@id, @name, @text, @plan, @revision, @priority, @origin, @createdAt, @now, 'Pending', @now)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, text = excluded.text, plan = excluded.plan,
             revision = excluded.revision, priority = excluded.priority, origin = excluded.origin, updated_at = excluded.updated_at`,
      ).run({
        id: input.id,
        name: input.name,
        text: input.text ?? null,
        plan: JSON.stringify(plan.data),
        revision: input.revision,
        priority: input.priority,
        origin: input.origin,
        createdAt: input.createdAt ?? now,
        now,
      });
      this.#transition(
        input.id,
        input.revision,
        existing?.phase ?? null,
        "Pending",
        [],
        "Received",
        `revision ${input.revision} stored`,
      );
      return true;
    })();
  }

  /** Removes an intent and its NF status; its history stays. Returns whether it existed. */
  removeIntent(id: string): boolean {
    return this.#db.transaction(() => {
      const gone = this.#stmt("DELETE FROM intents WHERE id = ?").run(id).changes > 0;
      this.#stmt("DELETE FROM nf_status WHERE intent_id = ?").run(id);
      return gone;
    })();
  }

  getIntent(id: string): StoredIntent | undefined {
    const row = this.#stmt("SELECT * FROM intents WHERE id = ?").get(id) as IntentRow | undefined;
    return row && toIntent(row);
  }

  /** All intents in the order they take effect at the site: oldest first. */
  listIntents(): StoredIntent[] {
    return (this.#stmt("SELECT * FROM intents ORDER BY created_at, id").all() as IntentRow[]).map(toIntent);
  }

  /**
   * Records the outcome of a reconcile for one intent. A change of phase or conditions is written to
   * the history and queued for the hub in the same transaction; an unchanged one only refreshes NF status.
   */
  setPhase(id: string, update: PhaseUpdate): boolean {
    const now = this.#clock.now().toISOString();
    return this.#db.transaction(() => {
      const row = this.#stmt("SELECT phase, conditions, revision FROM intents WHERE id = ?").get(id) as
        { phase: Phase; conditions: string; revision: number } | undefined;
      if (!row || update.revision < row.revision) return false;
      if (update.nfStatus && !sameNfStatus(this.nfStatus(id), update.nfStatus)) {
        this.#stmt("DELETE FROM nf_status WHERE intent_id = ?").run(id);
        const ins = this.#stmt(
          "INSERT INTO nf_status (intent_id, name, nf, desired_replicas, ready_replicas, ready, message, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        );
        for (const s of update.nfStatus)
          ins.run(
            id,
            s.name,
            s.nf,
            s.desiredReplicas,
            s.readyReplicas,
            s.ready ? 1 : 0,
            s.message ?? null,
            now,
          );
      }
      const sameConditions = sameConds(JSON.parse(row.conditions) as ReportCondition[], update.conditions);
      if (row.phase === update.phase && sameConditions) return false;
      const conditions = update.conditions.map((c) => {
        const before = (JSON.parse(row.conditions) as ReportCondition[]).find((p) => p.type === c.type);
        return before && before.status === c.status
          ? { ...c, lastTransitionTime: before.lastTransitionTime }
          : c;
      });
      this.#transition(
        id,
        update.revision,
        row.phase,
        update.phase,
        conditions,
        update.reason ?? null,
        update.message ?? null,
      );
      if (update.phase === "Applied" || update.phase === "Ready") {
        this.#stmt("UPDATE intents SET applied_revision = ? WHERE id = ?").run(update.revision, id);
      }
      return true;
    })();
  }

  nfStatus(id: string): NfStatus[] {
    const rows = this.#stmt("SELECT * FROM nf_status WHERE intent_id = ? ORDER BY name").all(id) as {
      nf: string;
      name: string;
      desired_replicas: number;
      ready_replicas: number;
      ready: number;
      message: string | null;
    }[];
    return rows.map((r) => ({
      nf: r.nf,
      name: r.name,
      desiredReplicas: r.desired_replicas,
      readyReplicas: r.ready_replicas,
      ready: r.ready === 1,
      ...(r.message ? { message: r.message } : {}),
    }));
  }

  history(id: string): HistoryEntry[] {
    return (
      this.#stmt(
        "SELECT revision, from_phase, to_phase, reason, message, at FROM intent_history WHERE intent_id = ? ORDER BY seq",
      ).all(id) as {
        revision: number;
        from_phase: Phase | null;
        to_phase: Phase;
        reason: string | null;
        message: string | null;
        at: string;
      }[]
    ).map((r) => ({
      revision: r.revision,
      from: r.from_phase,
      to: r.to_phase,
      reason: r.reason,
      message: r.message,
      at: r.at,
    }));
  }

  /** The desired version from the hub this store has committed (0: none yet). */
  ackedVersion(): number {
    return Number(this.getMeta("sync.ackedVersion") ?? "0");
  }

  /**
   * Commits a batch of the hub's desired state at `version`, all or nothing: intents put (an equal or
   * older revision is a no-op), intents deleted, and with `full` every other hub intent removed. Local
   * intents are never touched. Returns whether any intent changed.
   */
  applyDesired(batch: {
    version: number;
    put: readonly IntentInput[];
    deleted: readonly string[];
    full: boolean;
  }): boolean {
    return this.#db.transaction(() => {
      let changed = false;
      for (const i of batch.put) changed = this.upsertIntent({ ...i, origin: "hub" }) || changed;
      const hub = new Set(
        (this.#stmt("SELECT id FROM intents WHERE origin = 'hub'").all() as { id: string }[]).map(
          (r) => r.id,
        ),
      );
      const gone = new Set(batch.deleted);
      if (batch.full) {
        const kept = new Set(batch.put.map((i) => i.id));
        for (const id of hub) if (!kept.has(id)) gone.add(id);
      }
      for (const id of gone) if (hub.has(id)) changed = this.removeIntent(id) || changed;
      if (batch.version > this.ackedVersion() || batch.full)
        this.setMeta("sync.ackedVersion", String(batch.version));
      return changed;
    })();
  }

  /** The hub intents held, with their revisions (for the anti-entropy digest). */
  hubIntents(): { id: string; revision: number }[] {
    return this.#stmt("SELECT id, revision FROM intents WHERE origin = 'hub'").all() as {
      id: string;
      revision: number;
    }[];
  }

  /** The oldest `limit` messages waiting for the hub, in order. */
  peekOutbox(limit = 100): OutboxMessage[] {
    const rows = this.#stmt("SELECT seq, msg_id, kind, payload FROM outbox ORDER BY seq LIMIT ?").all(
      limit,
    ) as {
      seq: number;
      msg_id: string;
      kind: "report";
      payload: string;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      id: r.msg_id,
      kind: r.kind,
      report: ReportSchema.parse(JSON.parse(r.payload)),
    }));
  }

  /** Drops messages the hub acknowledged. */
  ackOutbox(ids: readonly string[]): number {
    const del = this.#stmt("DELETE FROM outbox WHERE msg_id = ?");
    return this.#db.transaction(() => ids.reduce((n, id) => n + del.run(id).changes, 0))();
  }

  outboxDepth(): number {
    return (this.#stmt("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  }

  /** PRAGMA integrity_check: "ok" for a sound database. */
  integrity(): string {
    return String(this.#db.pragma("integrity_check", { simple: true }));
  }

  #transition(
    id: string,
    revision: number,
    from: Phase | null | undefined,
    to: Phase,
    conditions: readonly ReportCondition[],
    reason: string | null,
    message: string | null,
  ): void {
    const now = this.#clock.now().toISOString();
    this.#stmt("UPDATE intents SET phase = ?, conditions = ?, phase_changed_at = ? WHERE id = ?").run(
      to,
      JSON.stringify(conditions),
      now,
      id,
    );
    this.#stmt(
      "INSERT INTO intent_history (intent_id, revision, from_phase, to_phase, reason, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(id, revision, from ?? null, to, reason, message, now);
    const seq = Number(this.getMeta("reportSeq") ?? "0") + 1;
    this.setMeta("reportSeq", String(seq));
    const report: SiteIntentReport = {
      siteId: this.#site,
      intentId: id,
      revision,
      phase: to,
      conditions: [...conditions],
      ...reportedNfStatus(this.nfStatus(id)),
      observedAt: now,
      reportSeq: seq,
    };
    this.#stmt("INSERT INTO outbox (msg_id, kind, payload, created_at) VALUES (?, 'report', ?, ?)").run(
      `${this.#site}:${id}:${seq}`,
      JSON.stringify(ReportSchema.parse(report)),
      now,
    );
  }
}

function toIntent(r: IntentRow): StoredIntent {
  return {
    id: r.id,
    name: r.name,
    text: r.text,
    plan: IntentPlanSchema.parse(JSON.parse(r.plan)),
    revision: r.revision,
    priority: r.priority,
    origin: r.origin,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    phase: r.phase,
    conditions: JSON.parse(r.conditions) as ReportCondition[],
    phaseChangedAt: r.phase_changed_at,
    appliedRevision: r.applied_revision,
  };
}

function sameNfStatus(a: readonly NfStatus[], b: readonly NfStatus[]): boolean {
  const key = (s: NfStatus) =>
    `${s.name}|${s.nf}|${s.desiredReplicas}|${s.readyReplicas}|${s.ready}|${s.message ?? ""}`;
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

function sameConds(a: readonly ReportCondition[], b: readonly ReportCondition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((c, i) => {
    const d = b[i];
    return (
      d !== undefined &&
      c.type === d.type &&
      c.status === d.status &&
      c.reason === d.reason &&
      c.message === d.message
    );
  });
}
