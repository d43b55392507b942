/**
 * Where the site stands in the hub's desired state: the version it has committed, and committing a batch
 * of the hub's changes at a version, all or nothing. The site's own (local) intents are never touched.
 *
 * The committed version is the greater of meta's and the newest an intent's row carries: a live change
 * (one intent put) writes its version on the row it writes anyway, one page instead of two; meta takes the
 * version when no row written carries it (a delete, a snapshot, a revision already held).
 */
import type { Db, Meta } from "./database";
import type { IntentInput, Intents } from "./intents";

export interface DesiredBatch {
  readonly version: number;
  readonly put: readonly IntentInput[];
  readonly deleted: readonly string[];
  /** The whole desired state: every other hub intent goes. */
  readonly full: boolean;
}

const ACKED = "sync.ackedVersion";

export class SyncCursor {
  /** The committed version, once read: only this cursor writes it, and every message the hub sends asks it. */
  #acked: number | undefined;

  constructor(
    private readonly d: Db,
    private readonly meta: Meta,
    private readonly intents: Intents,
  ) {}

  /** The desired version from the hub this store has committed (0: none yet). */
  ackedVersion(): number {
    if (this.#acked === undefined) {
      const row = this.d.stmt("SELECT max(hub_version) AS v FROM intents").get() as { v: number | null };
      this.#acked = Math.max(this.#inMeta(), row.v ?? 0);
    }
    return this.#acked;
  }

  /**
   * Commits a batch at `version`: intents put (an equal or older revision is a no-op), intents deleted,
   * and with `full` every other hub intent removed. Returns whether any intent changed.
   */
  apply(batch: DesiredBatch): boolean {
    let acked: number | undefined;
    const changed = this.d.atomic(() => {
      const before = this.ackedVersion();
      // Whether a row written now carries the version.
      let carried = false;
      for (const i of batch.put)
        carried = this.intents.upsert({ ...i, origin: "hub" }, batch.version) || carried;
      let changed = carried;
      // The hub's intents are listed only when some may go (an intent message puts one and deletes none).
      if (batch.full || batch.deleted.length) {
        const hub = new Set(this.intents.fromHub().map((r) => r.id));
        const gone = new Set(batch.deleted);
        if (batch.full) {
          const kept = new Set(batch.put.map((i) => i.id));
          for (const id of hub) if (!kept.has(id)) gone.add(id);
        }
        for (const id of gone) if (hub.has(id)) changed = this.intents.remove(id) || changed;
      }
      if (batch.full) {
        // A full snapshot may set the version back (the hub's store was restored): no row keeps a later one.
        this.d.stmt("UPDATE intents SET hub_version = NULL WHERE hub_version > ?").run(batch.version);
        this.meta.set(ACKED, String(batch.version));
        acked = batch.version;
      } else if (batch.version > before) {
        if (!carried) this.meta.set(ACKED, String(batch.version));
        acked = batch.version;
      } else if (batch.deleted.length) {
        // A late delete may take the row the version stood on: meta keeps it.
        this.meta.set(ACKED, String(before));
      }
      return changed;
    });
    // Kept only once committed: a batch that failed leaves the version where the store has it, and one
    // inside a caller's transaction (which may yet roll back) is read again from the store.
    if (acked !== undefined) this.#acked = this.d.db.inTransaction ? undefined : acked;
    return changed;
  }

  /** Removes an intent (the site's own); the version its row may carry stays committed, in meta. */
  remove(id: string): boolean {
    return this.d.atomic(() => {
      const acked = this.ackedVersion();
      const gone = this.intents.remove(id);
      if (gone && this.#inMeta() < acked) this.meta.set(ACKED, String(acked));
      return gone;
    });
  }

  /** The version meta holds (rows may carry a later one). */
  #inMeta(): number {
    return Number(this.meta.get(ACKED) ?? "0");
  }
}
