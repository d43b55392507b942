/** Listeners registered for the hub's notifications (TMF921 `/hub`): where to, what, signed with what. */
import type { ListenerRepo } from "../contract";
import type { Sql } from "../sql";
import type { Cached } from "./cache";
import { changing, fresh } from "./cache";
import type { ListenerRecord } from "../types";
import { HubStoreError, StoreErrorCode } from "../types";

interface Row {
  id: string;
  callback: string;
  query: string | null;
  secret: string;
  created_at: string;
  created_by: string;
}

const toRecord = (r: Row): ListenerRecord => ({
  id: r.id,
  callback: r.callback,
  query: r.query,
  secret: r.secret,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

/** How long the list stands where other replicas register listeners too. */
const SHARED_LIST_MS = 1_000;

/**
 * The listeners, cached for a store and its transactions (every event asks, few ever register); dropped on
 * every local change, and after a second where other replicas write too.
 */
export interface ListenerCache extends Cached {
  rows?: ListenerRecord[] | undefined;
  at?: number;
}

export class Listeners implements ListenerRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
    private readonly cache: ListenerCache = {},
  ) {}

  #changing<T>(write: () => Promise<T>): Promise<T> {
    return changing(this.cache, () => (this.cache.rows = undefined), write);
  }

  add(l: Omit<ListenerRecord, "createdAt">): Promise<ListenerRecord> {
    return this.#changing(async () => {
      const createdAt = this.now().toISOString();
      await this.sql.run(
        "INSERT INTO listeners (id, callback, query, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        [l.id, l.callback, l.query, l.secret, createdAt, l.createdBy],
      );
      return { ...l, createdAt };
    });
  }

  async get(id: string): Promise<ListenerRecord | undefined> {
    const r = await this.sql.get<Row>("SELECT * FROM listeners WHERE id = ?", [id]);
    return r && toRecord(r);
  }

  async list(): Promise<ListenerRecord[]> {
    const now = this.now().getTime();
    const c = this.cache;
    if (c.rows && (!this.sql.dialect.sharedWriters || now - (c.at ?? 0) < SHARED_LIST_MS)) return c.rows;
    const { value: rows, keep } = await fresh(c, async () =>
      (await this.sql.all<Row>("SELECT * FROM listeners ORDER BY created_at, id")).map(toRecord),
    );
    if (keep) {
      c.rows = rows;
      c.at = now;
    }
    return rows;
  }

  remove(id: string): Promise<void> {
    return this.#changing(async () => {
      const n = await this.sql.run("DELETE FROM listeners WHERE id = ?", [id]);
      if (!n) throw new HubStoreError(StoreErrorCode.NotFound, `no listener ${id}`);
    });
  }
}
