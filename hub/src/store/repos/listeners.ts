/** Listeners registered for the hub's notifications (TMF921 `/hub`): where to, what, signed with what. */
import type { ListenerRepo } from "../contract";
import type { Sql } from "../sql";
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

export class Listeners implements ListenerRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  async add(l: Omit<ListenerRecord, "createdAt">): Promise<ListenerRecord> {
    const createdAt = this.now().toISOString();
    await this.sql.run(
      "INSERT INTO listeners (id, callback, query, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
      [l.id, l.callback, l.query, l.secret, createdAt, l.createdBy],
    );
    return { ...l, createdAt };
  }

  async get(id: string): Promise<ListenerRecord | undefined> {
    const r = await this.sql.get<Row>("SELECT * FROM listeners WHERE id = ?", [id]);
    return r && toRecord(r);
  }

  async list(): Promise<ListenerRecord[]> {
    return (await this.sql.all<Row>("SELECT * FROM listeners ORDER BY created_at, id")).map(toRecord);
  }

  async remove(id: string): Promise<void> {
    const n = await this.sql.run("DELETE FROM listeners WHERE id = ?", [id]);
    if (!n) throw new HubStoreError(StoreErrorCode.NotFound, `no listener ${id}`);
  }
}
