/**
 * The agent's local store (SQLite, WAL), one file per site: the intents it holds (`intents.ts`), the reports
 * waiting for the hub (`outbox.ts`), and where it stands in the hub's desired state (`cursor.ts`), over one
 * database (`database.ts`). Every write is one transaction, so a crash at any point leaves the previous or
 * the next consistent state.
 */
import type { Clock, IntentPlan, NfStatus } from "@nephoran/shared";
import type { DesiredBatch } from "./cursor";
import { SyncCursor } from "./cursor";
import type { Db } from "./database";
import { Meta, openDatabase } from "./database";
import { StoreError, StoreErrorCode } from "./errors";
import type { TrackedExpectation } from "./expectations";
import { ExpectationTable } from "./expectations";
import type { StoredRemediation } from "./remediations";
import { RemediationTable } from "./remediations";
import type { HistoryEntry, IntentInput, PhaseUpdate, StoredIntent } from "./intents";
import { Intents } from "./intents";
import type { OutboxMessage } from "./outbox";
import { Outbox } from "./outbox";

/**
 * Transactions between checkpoints: a live change writes two WAL pages, so about as often as SQLite's own
 * default (1,000 pages) would checkpoint.
 */
export const CHECKPOINT_AFTER = 400;

export class AgentStore {
  readonly #d: Db;
  readonly #meta: Meta;
  readonly #intents: Intents;
  readonly #outbox: Outbox;
  readonly #cursor: SyncCursor;
  readonly #site: string;

  private constructor(d: Db, site: string, clock: Clock) {
    this.#d = d;
    this.#site = site;
    this.#meta = new Meta(d);
    this.#outbox = new Outbox(d, this.#meta, site);
    this.#intents = new Intents(d, this.#outbox, new ExpectationTable(d), new RemediationTable(d), clock);
    this.#cursor = new SyncCursor(d, this.#meta, this.#intents);
  }

  /** Opens (creating if needed) the store at `file`; ":memory:" for a throwaway one. */
  static open(file: string, opts: { site: string; clock: Clock }): AgentStore {
    const d = openDatabase(file);
    const store = new AgentStore(d, opts.site, opts.clock);
    const recorded = store.getMeta("site");
    if (recorded === undefined) store.setMeta("site", opts.site);
    else if (recorded !== opts.site) {
      d.db.close();
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
    try {
      this.#d.atomic(() => {
        this.applyDesired({ version: 1, put: [w], deleted: [], full: false });
        this.applyDesired({ version: 2, put: [], deleted: [w.id], full: false });
        this.peekOutbox(1);
        this.ackOutbox(["warm-up"]);
        throw rollback;
      });
    } catch (e) {
      if (e !== rollback) throw e;
    }
  }

  /** Runs `fn` as one transaction: several writes, one commit. */
  atomically<T>(fn: () => T): T {
    return this.#d.atomic(fn);
  }

  close(): void {
    if (this.#d.db.open) this.#d.db.close();
  }

  get site(): string {
    return this.#site;
  }

  getMeta(key: string): string | undefined {
    return this.#meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.#meta.set(key, value);
  }

  upsertIntent(input: IntentInput): boolean {
    return this.#intents.upsert(input);
  }

  removeIntent(id: string): boolean {
    return this.#cursor.remove(id);
  }

  getIntent(id: string): StoredIntent | undefined {
    return this.#intents.get(id);
  }

  /** Every intent's id and revision, without reading their plans. */
  intentRevisions(): { id: string; revision: number }[] {
    return this.#intents.revisions();
  }

  listIntents(): StoredIntent[] {
    return this.#intents.list();
  }

  setPhase(id: string, update: PhaseUpdate): boolean {
    return this.#intents.setPhase(id, update);
  }

  /** `before`: the intent's expectations as the caller read them (saves reading them again). */
  setExpectations(
    id: string,
    revision: number,
    xs: readonly TrackedExpectation[],
    before?: readonly TrackedExpectation[],
  ): boolean {
    return this.#intents.setExpectations(id, revision, xs, before);
  }

  remediate(r: Omit<StoredRemediation, "actions">): StoredRemediation | undefined {
    return this.#intents.remediate(r);
  }

  remediations(intentId?: string): StoredRemediation[] {
    return this.#intents.remediationsOf(intentId);
  }

  expectations(id: string): TrackedExpectation[] {
    return this.#intents.expectationsOf(id);
  }

  /** Every intent's expectations and NF status, each in one read (for a pass over them all). */
  allExpectations(): Map<string, TrackedExpectation[]> {
    return this.#intents.allExpectations();
  }

  allWorkloads(): Map<string, string> {
    return this.#intents.allWorkloads();
  }

  nfStatus(id: string): NfStatus[] {
    return this.#intents.nfStatus(id);
  }

  history(id: string): HistoryEntry[] {
    return this.#intents.history(id);
  }

  ackedVersion(): number {
    return this.#cursor.ackedVersion();
  }

  applyDesired(batch: DesiredBatch): boolean {
    return this.#cursor.apply(batch);
  }

  /** The hub intents held, with their revisions (for the anti-entropy digest). */
  hubIntents(): { id: string; revision: number }[] {
    return this.#intents.fromHub();
  }

  peekOutbox(limit = 100): OutboxMessage[] {
    return this.#outbox.peek(limit);
  }

  ackOutbox(ids: readonly string[]): number {
    return this.#outbox.ack(ids);
  }

  outboxDepth(): number {
    return this.#outbox.depth();
  }

  /**
   * Copies the WAL into the database file (a passive checkpoint: it waits for no reader) once
   * CHECKPOINT_AFTER transactions have run since the last one. The agent calls it between reconcile passes,
   * so a change from the hub is acknowledged without waiting for a checkpoint's two fsyncs. Returns whether
   * it checkpointed.
   */
  checkpoint(): boolean {
    if (this.#d.sinceCheckpoint < CHECKPOINT_AFTER) return false;
    this.#d.db.pragma("wal_checkpoint(PASSIVE)");
    this.#d.sinceCheckpoint = 0;
    return true;
  }

  /** PRAGMA integrity_check: "ok" for a sound database. */
  integrity(): string {
    return String(this.#d.db.pragma("integrity_check", { simple: true }));
  }
}
