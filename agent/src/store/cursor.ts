/**
 * Where the site stands in the hub's desired state: the version it has committed, and committing a batch
 * of the hub's changes at a version, all or nothing. The site's own (local) intents are never touched.
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
  /** The committed version, once read: only `apply` writes it, and every message the hub sends asks it. */
  #acked: number | undefined;

  constructor(
    private readonly d: Db,
    private readonly meta: Meta,
    private readonly intents: Intents,
  ) {}

  /** The desired version from the hub this store has committed (0: none yet). */
  ackedVersion(): number {
    return (this.#acked ??= Number(this.meta.get(ACKED) ?? "0"));
  }

  /**
   * Commits a batch at `version`: intents put (an equal or older revision is a no-op), intents deleted,
   * and with `full` every other hub intent removed. Returns whether any intent changed.
   */
  apply(batch: DesiredBatch): boolean {
    let acked: number | undefined;
    const changed = this.d.atomic(() => {
      let changed = false;
      for (const i of batch.put) changed = this.intents.upsert({ ...i, origin: "hub" }) || changed;
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
      if (batch.version > this.ackedVersion() || batch.full) {
        this.meta.set(ACKED, String(batch.version));
        acked = batch.version;
      }
      return changed;
    });
    // Kept only once committed: a batch that failed leaves the version where the store has it, and one
    // inside a caller's transaction (which may yet roll back) is read again from the store.
    if (acked !== undefined) this.#acked = this.d.db.inTransaction ? undefined : acked;
    return changed;
  }
}
