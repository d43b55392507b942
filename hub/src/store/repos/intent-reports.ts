/**
 * An intent's fulfilment reports, numbered per intent: one is added only when the state differs from the
 * newest, and two replicas adding the same one race harmlessly (the number is taken once).
 */
import type { Fulfilment } from "@nephoran/shared";
import type { IntentReportRepo } from "../contract";
import type { Sql } from "../sql";
import type { IntentReportRecord } from "../types";

interface Row {
  intent_id: string;
  seq: number;
  id: string;
  state: string;
  report: string;
  created_at: string;
}

const toRecord = (r: Row): IntentReportRecord => ({
  intentId: r.intent_id,
  seq: Number(r.seq),
  id: r.id,
  state: r.state as Fulfilment,
  body: JSON.parse(r.report) as Record<string, unknown>,
  createdAt: r.created_at,
});

export class IntentReports implements IntentReportRepo {
  constructor(private readonly sql: Sql) {}

  async latest(intentId: string): Promise<IntentReportRecord | undefined> {
    const r = await this.sql.get<Row>(
      "SELECT * FROM intent_reports WHERE intent_id = ? ORDER BY seq DESC LIMIT 1",
      [intentId],
    );
    return r && toRecord(r);
  }

  addIfChanged(r: Omit<IntentReportRecord, "seq">): Promise<IntentReportRecord | undefined> {
    return this.sql.atomic(async (sql) => {
      const last = await sql.get<Row>(
        "SELECT * FROM intent_reports WHERE intent_id = ? ORDER BY seq DESC LIMIT 1",
        [r.intentId],
      );
      if (last?.state === r.state) return undefined;
      try {
        const seq = (last ? Number(last.seq) : 0) + 1;
        await sql.run(
          "INSERT INTO intent_reports (intent_id, seq, id, state, report, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          [r.intentId, seq, r.id, r.state, JSON.stringify(r.body), r.createdAt],
        );
        return { ...r, seq };
      } catch (e: unknown) {
        if (sql.dialect.isUniqueViolation(e)) return undefined;
        throw e;
      }
    });
  }

  async list(intentId: string, q: { offset: number; limit: number }): Promise<IntentReportRecord[]> {
    const rows = await this.sql.all<Row>(
      "SELECT * FROM intent_reports WHERE intent_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
      [intentId, q.limit, q.offset],
    );
    return rows.map(toRecord);
  }

  async count(intentId: string): Promise<number> {
    const r = await this.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM intent_reports WHERE intent_id = ?",
      [intentId],
    );
    return Number(r?.n ?? 0);
  }

  async get(intentId: string, id: string): Promise<IntentReportRecord | undefined> {
    const r = await this.sql.get<Row>("SELECT * FROM intent_reports WHERE intent_id = ? AND id = ?", [
      intentId,
      id,
    ]);
    return r && toRecord(r);
  }
}
