/**
 * The intents the site holds — their plan and revision, phase and conditions, NF status and phase history —
 * and every change of phase queued for the hub through the outbox in the same transaction.
 */
import type { Clock, IntentPlan, NfStatus, Phase, Priority, ReportCondition } from "@nephoran/shared";
import { reportedNfStatus, IntentPlan as IntentPlanSchema } from "@nephoran/shared";
import type { Condition } from "../phase";
import { sameConditions, sameNfStatus, stamp } from "../phase";
import type { Db } from "./database";
import type { ExpectationTable, TrackedExpectation } from "./expectations";
import type { RemediationTable, StoredRemediation } from "./remediations";
import { StoreError, StoreErrorCode } from "./errors";
import type { Outbox } from "./outbox";

export type IntentOrigin = "hub" | "local";

/**
 * The newest history entries each intent keeps: an edge box runs for years, and an intent that flaps would
 * otherwise grow its history (and its status answer) without end. Older ones go HISTORY_TRIM at a time.
 */
export const HISTORY_KEPT = 100;
const HISTORY_TRIM = 20;

/** Why a phase changed, as the history and the report say it. */
interface Why {
  readonly reason?: string | undefined;
  readonly message?: string | undefined;
}

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

export interface PhaseUpdate {
  readonly phase: Phase;
  /** Stamped by the store: a condition keeps its transition time while its status holds. */
  readonly conditions: readonly (Condition & { lastTransitionTime?: string })[];
  readonly reason?: string;
  readonly message?: string;
  readonly nfStatus?: readonly NfStatus[];
  /** The revision this phase is about; a stale update (older revision) is ignored. */
  readonly revision: number;
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

interface NfStatusRow {
  intent_id: string;
  nf: string;
  name: string;
  desired_replicas: number;
  ready_replicas: number;
  ready: number;
  message: string | null;
}

const toNfStatus = (r: NfStatusRow): NfStatus => ({
  nf: r.nf,
  name: r.name,
  desiredReplicas: r.desired_replicas,
  readyReplicas: r.ready_replicas,
  ready: r.ready === 1,
  ...(r.message ? { message: r.message } : {}),
});

// A plan was validated when it was stored; reading trusts it (no re-parse on every pass).
const toIntent = (r: IntentRow): StoredIntent => ({
  id: r.id,
  name: r.name,
  text: r.text,
  plan: JSON.parse(r.plan) as IntentPlan,
  revision: r.revision,
  priority: r.priority,
  origin: r.origin,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  phase: r.phase,
  conditions: JSON.parse(r.conditions) as ReportCondition[],
  phaseChangedAt: r.phase_changed_at,
  appliedRevision: r.applied_revision,
});

export class Intents {
  constructor(
    private readonly d: Db,
    private readonly outbox: Outbox,
    private readonly expectations: ExpectationTable,
    private readonly remediations: RemediationTable,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores an intent unless the store already has this or a newer revision: applying the same
   * (id, revision) twice is a no-op. Returns whether anything changed. `hubVersion`: the hub's desired
   * version that brought it, kept on the row unless the row holds a later one (see SyncCursor).
   */
  upsert(input: IntentInput, hubVersion?: number): boolean {
    const plan = IntentPlanSchema.safeParse(input.plan);
    if (!plan.success)
      throw new StoreError(StoreErrorCode.Invalid, `intent ${input.id}: invalid plan: ${plan.error.message}`);
    if (!Number.isInteger(input.revision) || input.revision < 1) {
      throw new StoreError(StoreErrorCode.Invalid, `intent ${input.id}: revision must be a positive integer`);
    }
    const now = this.clock.now().toISOString();
    return this.d.atomic(() => {
      const existing = this.d.stmt("SELECT revision, phase FROM intents WHERE id = ?").get(input.id) as
        { revision: number; phase: Phase } | undefined;
      if (existing && existing.revision >= input.revision) return false;
      // One upsert: every revision starts Pending; a new one keeps the intent's creation time and order.
      this.d
        .stmt(
          `INSERT INTO intents (id, name, text, plan, revision, priority, origin, created_at, updated_at, phase, conditions, phase_changed_at, hub_version)
             VALUES (@id, @name, @text, @plan, @revision, @priority, @origin, @createdAt, @now, 'Pending', '[]', @now, @hubVersion)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, text = excluded.text, plan = excluded.plan,
               revision = excluded.revision, priority = excluded.priority, origin = excluded.origin, updated_at = excluded.updated_at,
               phase = 'Pending', conditions = '[]', phase_changed_at = excluded.phase_changed_at,
               hub_version = coalesce(max(excluded.hub_version, intents.hub_version), excluded.hub_version, intents.hub_version)`,
        )
        .run({
          id: input.id,
          name: input.name,
          text: input.text ?? null,
          plan: JSON.stringify(plan.data),
          revision: input.revision,
          priority: input.priority,
          origin: input.origin,
          createdAt: input.createdAt ?? now,
          now,
          hubVersion: hubVersion ?? null,
        });
      // A new revision from its owner starts afresh: what the closed loop did to the one before goes.
      if (existing) this.remediations.forgetBefore(input.id, input.revision);
      const received = { reason: "Received", message: `revision ${input.revision} stored` };
      this.#history(input.id, input.revision, existing?.phase ?? null, "Pending", received, now);
      // The hub learns that the site holds its intent's revision from the acknowledgement, and counts it
      // Pending until the site reports more: only the site's own intent, which the hub knows by its reports
      // alone, is reported on receipt.
      if (input.origin === "local") this.#report(input.id, now);
      return true;
    });
  }

  /**
   * Removes an intent with its NF status and history (nothing answers for an intent the site no longer
   * holds). Returns whether it existed.
   */
  remove(id: string): boolean {
    return this.d.atomic(() => {
      const gone = this.d.stmt("DELETE FROM intents WHERE id = ?").run(id).changes > 0;
      this.d.stmt("DELETE FROM nf_status WHERE intent_id = ?").run(id);
      this.d.stmt("DELETE FROM intent_history WHERE intent_id = ?").run(id);
      this.expectations.remove(id);
      this.remediations.remove(id);
      return gone;
    });
  }

  get(id: string): StoredIntent | undefined {
    const row = this.d.stmt("SELECT * FROM intents WHERE id = ?").get(id) as IntentRow | undefined;
    return row && toIntent(row);
  }

  /** All intents in the order they take effect at the site: oldest first. */
  list(): StoredIntent[] {
    return (this.d.stmt("SELECT * FROM intents ORDER BY created_at, id").all() as IntentRow[]).map(toIntent);
  }

  /** Every intent's id and revision, in the order they take effect (cheap: no plan is read). */
  revisions(): { id: string; revision: number }[] {
    return this.d.stmt("SELECT id, revision FROM intents ORDER BY created_at, id").all() as {
      id: string;
      revision: number;
    }[];
  }

  /** The hub's intents held, with their revisions. */
  fromHub(): { id: string; revision: number }[] {
    return this.d.stmt("SELECT id, revision FROM intents WHERE origin = 'hub'").all() as {
      id: string;
      revision: number;
    }[];
  }

  /**
   * Records the outcome of a reconcile for one intent. A change of phase or conditions is written to
   * the history and queued for the hub in the same transaction; an unchanged one only refreshes NF status.
   */
  setPhase(id: string, update: PhaseUpdate): boolean {
    const now = this.clock.now().toISOString();
    return this.d.atomic(() => {
      const row = this.d.stmt("SELECT phase, conditions, revision FROM intents WHERE id = ?").get(id) as
        { phase: Phase; conditions: string; revision: number } | undefined;
      if (!row || update.revision < row.revision) return false;
      if (update.nfStatus && !sameNfStatus(this.nfStatus(id), update.nfStatus))
        this.#putNfStatus(id, update.nfStatus, now);
      const before = JSON.parse(row.conditions) as ReportCondition[];
      if (row.phase === update.phase && sameConditions(before, update.conditions)) return false;
      this.#transition(
        id,
        update.revision,
        row.phase,
        update.phase,
        stamp(before, update.conditions, now),
        update,
      );
      if (update.phase === "Applied" || update.phase === "Ready")
        this.d.stmt("UPDATE intents SET applied_revision = ? WHERE id = ?").run(update.revision, id);
      return true;
    });
  }

  /**
   * Records how the intent's expectations stand at `revision` (ignored for another revision than the one
   * held); a change of any state is queued for the hub at once. Returns whether one changed.
   */
  setExpectations(
    id: string,
    revision: number,
    xs: readonly TrackedExpectation[],
    before?: readonly TrackedExpectation[],
  ): boolean {
    return this.d.atomic(() => {
      if (!this.#holds(id, revision)) return false;
      const changed = this.expectations.put(id, revision, xs, before);
      if (changed) this.#report(id, this.clock.now().toISOString());
      return changed;
    });
  }

  /** Every intent's expectations, in one read. */
  allExpectations(): Map<string, TrackedExpectation[]> {
    return this.expectations.all();
  }

  /**
   * Every intent's workloads as last observed, in one read: by intent, `nf:name` of each in name order
   * (one string per intent; what a pass over every intent needs, read at each pass, so kept small).
   */
  allWorkloads(): Map<string, string> {
    const out = new Map<string, string>();
    const rows = this.d
      .stmt("SELECT intent_id, nf || ':' || name FROM nf_status ORDER BY intent_id, name")
      .raw()
      .all() as [string, string][];
    for (const [id, workload] of rows) {
      const was = out.get(id);
      out.set(id, was === undefined ? workload : `${was} ${workload}`);
    }
    return out;
  }

  /**
   * Records one closed-loop action on an NF of the intent at `revision` and queues it for the hub; ignored
   * for another revision than the one held. Returns the record, or undefined when ignored.
   */
  remediate(r: Omit<StoredRemediation, "actions">): StoredRemediation | undefined {
    return this.d.atomic(() => {
      if (!this.#holds(r.intentId, r.revision)) return undefined;
      const stored = this.remediations.put(r);
      this.#report(r.intentId, r.at);
      return stored;
    });
  }

  /** What the closed loop did, to every intent or one. */
  remediationsOf(id?: string): StoredRemediation[] {
    return this.remediations.list(id);
  }

  expectationsOf(id: string): TrackedExpectation[] {
    return this.expectations.of(id);
  }

  nfStatus(id: string): NfStatus[] {
    return (
      this.d.stmt("SELECT * FROM nf_status WHERE intent_id = ? ORDER BY name").all(id) as NfStatusRow[]
    ).map(toNfStatus);
  }

  history(id: string): HistoryEntry[] {
    return (
      this.d
        .stmt(
          "SELECT revision, from_phase, to_phase, reason, message, at FROM intent_history WHERE intent_id = ? ORDER BY seq",
        )
        .all(id) as {
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

  /** Whether the intent is held at `revision`. */
  #holds(id: string, revision: number): boolean {
    const row = this.d.stmt("SELECT revision FROM intents WHERE id = ?").get(id) as
      { revision: number } | undefined;
    return row?.revision === revision;
  }

  #putNfStatus(id: string, status: readonly NfStatus[], now: string): void {
    this.d.stmt("DELETE FROM nf_status WHERE intent_id = ?").run(id);
    const ins = this.d.stmt(
      "INSERT INTO nf_status (intent_id, name, nf, desired_replicas, ready_replicas, ready, message, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    for (const s of status)
      ins.run(id, s.name, s.nf, s.desiredReplicas, s.readyReplicas, s.ready ? 1 : 0, s.message ?? null, now);
  }

  /** The intent's new phase and conditions, its history entry, and the report for the hub. */
  #transition(
    id: string,
    revision: number,
    from: Phase | null,
    to: Phase,
    conditions: readonly ReportCondition[],
    why: Why,
  ): void {
    const now = this.clock.now().toISOString();
    this.d
      .stmt("UPDATE intents SET phase = ?, conditions = ?, phase_changed_at = ? WHERE id = ?")
      .run(to, JSON.stringify(conditions), now, id);
    this.#history(id, revision, from, to, why, now);
    this.#report(id, now);
  }

  /** Appends a history entry; past HISTORY_KEPT, every HISTORY_TRIM-th entry drops the ones beyond it. */
  #history(id: string, revision: number, from: Phase | null, to: Phase, why: Why, now: string): void {
    const { seq } = this.d
      .stmt(
        `INSERT INTO intent_history (intent_id, seq, revision, from_phase, to_phase, reason, message, at)
           VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM intent_history WHERE intent_id = ?), ?, ?, ?, ?, ?, ?)
           RETURNING seq`,
      )
      .get(id, id, revision, from, to, why.reason ?? null, why.message ?? null, now) as { seq: number };
    if (seq > HISTORY_KEPT && seq % HISTORY_TRIM === 0)
      this.d.stmt("DELETE FROM intent_history WHERE intent_id = ? AND seq <= ?").run(id, seq - HISTORY_KEPT);
  }

  /** Queues what the intent is at the site now — phase, conditions, NF status, expectations — for the hub. */
  #report(id: string, now: string): void {
    const row = this.d.stmt("SELECT revision, phase, conditions FROM intents WHERE id = ?").get(id) as {
      revision: number;
      phase: Phase;
      conditions: string;
    };
    const expectations = this.expectations.of(id).map((x) => x.status);
    const remediations = this.remediations.list(id).map(({ intentId: _, revision: __, ...r }) => r);
    this.outbox.enqueue(
      {
        intentId: id,
        revision: row.revision,
        phase: row.phase,
        conditions: JSON.parse(row.conditions) as ReportCondition[],
        ...reportedNfStatus(this.nfStatus(id)),
        observedAt: now,
        ...(expectations.length ? { expectations } : {}),
        ...(remediations.length ? { remediations } : {}),
      },
      now,
    );
  }
}
