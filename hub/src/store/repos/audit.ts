/** The audit trail: who did what to which target, in order. */
import type { AuditRepo } from "../contract";
import type { Sql } from "../sql";
import type { AuditEntry, NewAuditEntry, Page } from "../types";
import { decodeCursor, pageOf } from "./rows";

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

export class Audit implements AuditRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  async append(e: NewAuditEntry | readonly NewAuditEntry[]): Promise<void> {
    const list: readonly NewAuditEntry[] = "actor" in e ? [e] : e;
    if (!list.length) return;
    const at = this.now().toISOString();
    await this.sql.run(
      `INSERT INTO audit (at, actor, action, target, detail)
         SELECT ?, x.value ->> 0, x.value ->> 1, x.value ->> 2, x.value ->> 3 FROM ${this.sql.dialect.jsonRows}`,
      [at, JSON.stringify(list.map((a) => [a.actor, a.action, a.target, JSON.stringify(a.detail ?? {})]))],
    );
  }

  async list(q: { limit: number; cursor?: string }): Promise<Page<AuditEntry>> {
    const rows = await this.sql.all<AuditRow>("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?", [
      decodeCursor(q.cursor),
      q.limit + 1,
    ]);
    return pageOf(rows, q.limit, (r) => ({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
