/** The audit trail: who did what to which target, in order. */
import type { AuditRepo } from "../contract";
import type { Sql } from "../sql";
import type { AuditEntry, Page } from "../types";
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

  async append(e: {
    actor: string;
    action: string;
    target: string;
    detail?: Record<string, unknown>;
  }): Promise<void> {
    await this.sql.run("INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)", [
      this.now().toISOString(),
      e.actor,
      e.action,
      e.target,
      JSON.stringify(e.detail ?? {}),
    ]);
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
