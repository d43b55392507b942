/**
 * What sites say — acknowledgements, presence, reports — committed in batches, set-wise (one statement per
 * kind, whatever the batch's size), and the reads of it (the rollup's in rollup.ts). A report replaces the one before it
 * only when its reportSeq is newer, in the same statement, so two replicas committing it race harmlessly.
 */
import type { Fulfilment, RollupPhase, SiteIntentReport } from "@nephoran/shared";
import {
  FULFILMENT_SEVERITY,
  PHASE_SEVERITY,
  worstFulfilment,
  SiteIntentReport as ReportSchema,
  blockingMessage,
  isLocalIntentId,
} from "@nephoran/shared";
import type { ReportRepo } from "../contract";
import type { Sql } from "../sql";
import { purgeReleased } from "./intents";
import { rollup } from "./rollup";
import { OFFLINE } from "./sites";
import type { FulfilmentQuery, FulfilmentTally, RollupQuery, RollupTally, SyncBatch } from "../types";

/** Worst first, as PHASE_SEVERITY orders phases. */
const SEVERITY = `CASE phase ${PHASE_SEVERITY.map((p, i) => `WHEN '${p}' THEN ${i}`).join(" ")} END`;

/** Whether a report's Ready condition is Unknown: its target cannot observe readiness (kept as a column). */
const readyUnknown = (r: SiteIntentReport): number =>
  r.conditions.some((c) => c.type === "Ready" && c.status === "Unknown") ? 1 : 0;

/** The newest report per (site, intent) in a batch: one row each, as one upsert needs. */
function newest(rs: readonly SiteIntentReport[]): SiteIntentReport[] {
  const by = new Map<string, SiteIntentReport>();
  for (const r of rs) {
    const key = `${r.siteId}\u0000${r.intentId}`;
    const cur = by.get(key);
    if (!cur || cur.reportSeq < r.reportSeq) by.set(key, r);
  }
  return [...by.values()];
}

export class Reports implements ReportRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  record(batch: SyncBatch): Promise<number> {
    return this.sql.atomic(async (sql) => {
      const rows = `FROM ${sql.dialect.jsonRows} WHERE sites.id = x.value ->> 0`;
      if (batch.seen.length)
        await sql.run(
          `UPDATE sites SET last_seen = x.value ->> 1, agent_version = coalesce(x.value ->> 2, agent_version) ${rows}`,
          [JSON.stringify(batch.seen.map((s) => [s.site, s.at, s.agentVersion ?? null]))],
        );
      if (batch.gone?.length)
        await sql.run(`UPDATE sites SET gone_at = x.value ->> 1 ${rows}`, [
          JSON.stringify(batch.gone.map((g) => [g.site, g.at])),
        ]);
      if (batch.acks.length)
        await sql.run(
          `UPDATE sites SET reported_version = ${sql.dialect.greatest}(reported_version, CAST(x.value ->> 1 AS INTEGER)) ${rows}`,
          [JSON.stringify(batch.acks.map((a) => [a.site, a.version]))],
        );
      // Who was heard from is the batch's to say (`seen`): a report in it may predate the site's goodbye.
      const fresh = await this.#put(sql, batch.reports, false);
      if (batch.acks.length) {
        await purgeReleased(sql);
      }
      return fresh;
    });
  }

  put(rs: readonly SiteIntentReport[]): Promise<number> {
    return this.sql.atomic((sql) => this.#put(sql, rs, true));
  }

  /** `heard`: the reporting sites were heard from now (a report alone, not one of a sync batch). */
  async #put(sql: Sql, rs: readonly SiteIntentReport[], heard: boolean): Promise<number> {
    if (!rs.length) return 0;
    const reports = newest(rs.map((r) => ReportSchema.parse(r)));
    // A late report about a fleet intent the hub no longer holds (purged after every site let it go) is
    // dropped: only the site's own intents live at the hub by their reports alone.
    const fleet = [...new Set(reports.filter((r) => !isLocalIntentId(r.intentId)).map((r) => r.intentId))];
    const held = new Set(
      fleet.length
        ? (
            await sql.all<{ id: string }>(
              `SELECT x.value AS id FROM ${sql.dialect.jsonValues} WHERE x.value IN (SELECT id FROM intents)`,
              [JSON.stringify(fleet)],
            )
          ).map((r) => r.id)
        : [],
    );
    const kept = reports.filter((r) => isLocalIntentId(r.intentId) || held.has(r.intentId));
    if (!kept.length) return 0;
    const stored = await sql.all<{
      site_id: string;
      intent_id: string;
      revision: number;
      phase: string;
      ready_unknown: number;
    }>(
      `INSERT INTO site_reports (site_id, intent_id, revision, phase, report, report_seq, observed_at, ready_unknown, fulfilment)
         SELECT x.value ->> 0, x.value ->> 1, CAST(x.value ->> 2 AS INTEGER), x.value ->> 3, x.value ->> 4,
           CAST(x.value ->> 5 AS INTEGER), x.value ->> 6, CAST(x.value ->> 7 AS INTEGER), x.value ->> 8
         FROM ${sql.dialect.jsonRows} WHERE 1 = 1
         ON CONFLICT (site_id, intent_id) DO UPDATE SET revision = excluded.revision, phase = excluded.phase,
           report = excluded.report, report_seq = excluded.report_seq, observed_at = excluded.observed_at,
           ready_unknown = excluded.ready_unknown, fulfilment = excluded.fulfilment
           WHERE site_reports.report_seq < excluded.report_seq
         RETURNING site_id, intent_id, revision, phase, ready_unknown`,
      [
        JSON.stringify(
          kept.map((r) => [
            r.siteId,
            r.intentId,
            r.revision,
            r.phase,
            JSON.stringify(r),
            r.reportSeq,
            r.observedAt,
            readyUnknown(r),
            worstFulfilment(r.expectations ?? []) ?? null,
          ]),
        ),
      ],
    );
    if (!stored.length) return 0;
    // What the rollup counts, beside what it counts over (see the desired repository).
    await sql.run(
      `UPDATE site_desired SET report_revision = CAST(x.value ->> 2 AS INTEGER), report_phase = x.value ->> 3,
         report_unknown = CAST(x.value ->> 4 AS INTEGER)
       FROM ${sql.dialect.jsonRows} WHERE site_desired.site_id = x.value ->> 0 AND site_desired.intent_id = x.value ->> 1`,
      [JSON.stringify(stored.map((r) => [r.site_id, r.intent_id, r.revision, r.phase, r.ready_unknown]))],
    );
    if (heard)
      await sql.run(
        `UPDATE sites SET last_seen = ? WHERE id IN (SELECT x.value FROM ${sql.dialect.jsonValues})`,
        [this.now().toISOString(), JSON.stringify([...new Set(stored.map((s) => s.site_id))])],
      );
    return stored.length;
  }

  rollup(q: RollupQuery): Promise<RollupTally> {
    return rollup(this.sql, q);
  }

  async fold(): Promise<void> {
    // SQLite keeps one entry per key (its triggers add up in place): only the keys that came to nothing go.
    // PostgreSQL's triggers append: the intents with a key entered more than once have theirs summed into one
    // each, in one statement (a writer's entries committed meanwhile are left for the next fold).
    if (this.sql.dialect.engine === "sqlite") await this.sql.run("DELETE FROM rollup_tally WHERE n = 0");
    else
      await this.sql.run(
        `WITH many AS (
         SELECT DISTINCT intent_id FROM rollup_tally GROUP BY intent_id, revision, phase, unknown, deleted
         HAVING count(*) > 1),
       gone AS (DELETE FROM rollup_tally t USING many WHERE t.intent_id = many.intent_id RETURNING t.*)
       INSERT INTO rollup_tally SELECT intent_id, revision, phase, unknown, deleted, sum(n) FROM gone
       GROUP BY intent_id, revision, phase, unknown, deleted HAVING sum(n) <> 0`,
      );
  }

  async fulfilment(q: FulfilmentQuery): Promise<FulfilmentTally> {
    // The targeted sites' reports at the current revision, counted by their worst expectation; the worst few
    // read whole, for what they measured.
    const current = `FROM site_desired d JOIN site_reports r ON r.site_id = d.site_id AND r.intent_id = d.intent_id
       WHERE d.intent_id = ? AND d.deleted = 0 AND r.revision = d.revision AND r.fulfilment IS NOT NULL`;
    const counted = await this.sql.all<{ state: Fulfilment; n: number }>(
      `SELECT r.fulfilment AS state, count(*) AS n ${current} GROUP BY r.fulfilment`,
      [q.intentId],
    );
    const rank = `CASE r.fulfilment ${FULFILMENT_SEVERITY.map((s, i) => `WHEN '${s}' THEN ${i}`).join(" ")} END`;
    const worst = await this.sql.all<{ site_id: string; report: string }>(
      `SELECT r.site_id, r.report ${current} AND r.fulfilment <> 'Fulfilled' ORDER BY ${rank}, r.site_id LIMIT ?`,
      [q.intentId, q.cap],
    );
    return {
      counts: Object.fromEntries(counted.map((c) => [c.state, Number(c.n)])),
      worst: worst.map((w) => {
        const report = JSON.parse(w.report) as SiteIntentReport;
        const expectations = report.expectations ?? [];
        return { siteId: w.site_id, state: worstFulfilment(expectations) ?? "Unknown", expectations };
      }),
    };
  }

  async worstPhases(onlineSince: string): Promise<Map<string, RollupPhase>> {
    // Each targeted site's phase as the rollup gives it (its report at the intent's revision, else Pending;
    // Offline when not heard from), the worst per intent kept.
    const rows = await this.sql.all<{ intent_id: string; rank: number }>(
      `WITH off AS MATERIALIZED (
         SELECT id FROM sites
         WHERE ${OFFLINE})
       SELECT intent_id, min(${SEVERITY}) AS rank FROM (
         SELECT d.intent_id,
           CASE WHEN d.site_id IN (SELECT id FROM off) THEN 'Offline'
                WHEN d.report_revision IS NULL OR d.report_revision < i.revision THEN 'Pending'
                ELSE d.report_phase END AS phase
         FROM site_desired d JOIN intents i ON i.id = d.intent_id
         WHERE d.deleted = 0 AND i.state = 'active'
       ) AS c GROUP BY intent_id`,
      [onlineSince],
    );
    return new Map(rows.map((r) => [r.intent_id, PHASE_SEVERITY[Number(r.rank)] as RollupPhase]));
  }

  async messages(intentId: string, siteIds: readonly string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    if (siteIds.length === 0) return out;
    const rows = await this.sql.all<{ site_id: string; report: string }>(
      `SELECT site_id, report FROM site_reports WHERE intent_id = ? AND site_id IN (SELECT x.value FROM ${this.sql.dialect.jsonValues})`,
      [intentId, JSON.stringify(siteIds)],
    );
    for (const r of rows)
      out.set(r.site_id, blockingMessage((JSON.parse(r.report) as SiteIntentReport).conditions));
    return out;
  }

  async forIntent(intentId: string): Promise<SiteIntentReport[]> {
    const rows = await this.sql.all<{ report: string }>(
      "SELECT report FROM site_reports WHERE intent_id = ?",
      [intentId],
    );
    return rows.map((r) => JSON.parse(r.report) as SiteIntentReport);
  }

  async forSite(siteId: string): Promise<SiteIntentReport[]> {
    const rows = await this.sql.all<{ report: string }>("SELECT report FROM site_reports WHERE site_id = ?", [
      siteId,
    ]);
    return rows.map((r) => JSON.parse(r.report) as SiteIntentReport);
  }
}
