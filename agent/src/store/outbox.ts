/**
 * Reports waiting for the hub, in order, each under the id the hub deduplicates by (`site:intent:seq`) and
 * numbered by one sequence per site (`reportSeq`), so the hub keeps only the newest of each intent.
 */
import type { SiteIntentReport } from "@nephoran/shared";
import { SiteIntentReport as ReportSchema } from "@nephoran/shared";
import type { Db, Meta } from "./database";

/** The meta key of the last report's number. */
const REPORT_SEQ = "reportSeq";

export interface OutboxMessage {
  readonly seq: number;
  readonly id: string;
  readonly kind: "report";
  readonly report: SiteIntentReport;
}

export class Outbox {
  /**
   * Read empty, and nothing queued since: the sync loop asks every second, and an idle site's answer is kept
   * here instead of read again (only the agent's process writes its store).
   */
  #empty = false;

  constructor(
    private readonly d: Db,
    private readonly meta: Meta,
    private readonly site: string,
  ) {}

  /**
   * Queues a report, numbered next; call inside the transaction that made the change it reports. It is
   * validated here, once: what is read back to send was written by this.
   */
  enqueue(report: Omit<SiteIntentReport, "siteId" | "reportSeq">, at: string): void {
    this.#empty = false;
    const seq = this.meta.increment(REPORT_SEQ);
    const full: SiteIntentReport = { ...report, siteId: this.site, reportSeq: seq };
    this.d
      .stmt("INSERT INTO outbox (msg_id, kind, payload, created_at) VALUES (?, 'report', ?, ?)")
      .run(`${this.site}:${report.intentId}:${seq}`, JSON.stringify(ReportSchema.parse(full)), at);
  }

  /** The oldest `limit` messages waiting for the hub, in order. */
  peek(limit = 100): OutboxMessage[] {
    if (this.#empty) return [];
    const rows = this.d
      .stmt("SELECT seq, msg_id, kind, payload FROM outbox ORDER BY seq LIMIT ?")
      .all(limit) as {
      seq: number;
      msg_id: string;
      kind: "report";
      payload: string;
    }[];
    this.#empty = rows.length === 0;
    return rows.map((r) => ({
      seq: r.seq,
      id: r.msg_id,
      kind: r.kind,
      report: JSON.parse(r.payload) as SiteIntentReport,
    }));
  }

  /** Drops messages the hub acknowledged. */
  ack(ids: readonly string[]): number {
    const del = this.d.stmt("DELETE FROM outbox WHERE msg_id = ?");
    return this.d.atomic(() => ids.reduce((n, id) => n + del.run(id).changes, 0));
  }

  depth(): number {
    return (this.d.stmt("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  }
}
