/**
 * The rollup's lean read of what sites reported on an intent: counts by phase from the running tally, the
 * worst online sites by a probe per phase, and the offline ones (few when a fleet is well) moved to Offline.
 */
import type { RollupPhase } from "@nephoran/shared";
import { PHASE_SEVERITY } from "@nephoran/shared";
import type { Sql } from "../sql";
import type { RollupQuery, RollupTally } from "../types";
import { OFFLINE } from "./sites";

/** A targeted site's phase by its latest report (`d`, the desired row that mirrors it), presence aside. */
const PHASE =
  "CASE WHEN d.report_revision IS NULL OR d.report_revision < ? THEN 'Pending' ELSE d.report_phase END";

/** The phases a current report can put a site in that the rollup lists, worst first (Pending is probed apart). */
const WORST_REPORTED = PHASE_SEVERITY.filter((p) => p !== "Offline" && p !== "Pending" && p !== "Ready");

/** 1 for a site with nothing left to wait for: Ready, or Applied where readiness cannot be observed. */
const SETTLED = "CASE WHEN phase = 'Ready' OR (phase = 'Applied' AND unknown = 1) THEN 1 ELSE 0 END";

export async function rollup(sql: Sql, q: RollupQuery): Promise<RollupTally> {
  // One statement, three parts: the targeted sites counted by the phase their reports give, from the tally
  // kept as desired rows change (a few rows, however many sites); the worst of those online, a probe per
  // phase into the report mirrored beside each desired row, each stopping at the cap; and the offline ones
  // — few, when a fleet is well — whose counts move to Offline here.
  const targeted = "d.intent_id = ? AND (d.deleted = 0 OR ? = 1) AND d.site_id NOT IN (SELECT id FROM off)";
  const key = [q.intentId, q.removing ? 1 : 0];
  const probe = (phase: string, where: string) =>
    `SELECT * FROM (SELECT '${phase}' AS phase, d.site_id AS id, d.report_revision AS reported FROM site_desired d
       WHERE ${targeted} AND ${where} ORDER BY d.site_id LIMIT ?) AS p`;
  // Pending: the site's own word, or no report at this revision yet — looked for only where the tally has some.
  const pending = `(d.report_revision IS NULL OR d.report_revision < ? OR d.report_phase = 'Pending')
    AND (SELECT sum(t.n) FROM rollup_tally t WHERE t.intent_id = ? AND (t.deleted = 0 OR ? = 1)
         AND (t.revision < ? OR t.phase = 'Pending')) > 0`;
  const byReport = WORST_REPORTED.map((p) => probe(p, `d.report_phase = '${p}' AND d.report_revision >= ?`));
  const rows = await sql.all<{
    part: number;
    phase: RollupPhase;
    n: number;
    settled: number;
    id: string | null;
    last_seen: string | null;
    reported: number | null;
  }>(
    `WITH off AS MATERIALIZED (
       SELECT id, last_seen FROM sites
       WHERE ${OFFLINE})
     SELECT 0 AS part, phase, sum(n) AS n, sum(n * ${SETTLED}) AS settled,
       NULL AS id, NULL AS last_seen, NULL AS reported
     FROM (
       SELECT CASE WHEN t.revision < ? THEN 'Pending' ELSE t.phase END AS phase, t.unknown, t.n
       FROM rollup_tally t WHERE t.intent_id = ? AND (t.deleted = 0 OR ? = 1)
     ) AS c GROUP BY phase
     UNION ALL
     SELECT 1, w.phase, 0, 0, w.id, s.last_seen, w.reported FROM (
       ${[...byReport, probe("Pending", pending)].join(" UNION ALL ")}
     ) AS w JOIN sites s ON s.id = w.id
     UNION ALL
     SELECT 2, phase, 0, ${SETTLED}, id, last_seen, reported FROM (
       SELECT ${PHASE} AS phase, d.report_unknown AS unknown, off.id, off.last_seen, d.report_revision AS reported
       FROM off CROSS JOIN ${sql.dialect.desiredGist} WHERE d.intent_id = ? AND (d.deleted = 0 OR ? = 1)
         AND d.site_id = off.id
     ) AS o`,
    [
      q.onlineSince,
      q.revision,
      ...key,
      ...WORST_REPORTED.flatMap(() => [...key, q.revision, q.cap + 1]),
      ...key,
      q.revision,
      ...key,
      q.revision,
      q.cap + 1,
      q.revision,
      ...key,
    ],
  );
  const counts: Partial<Record<RollupPhase, number>> = {};
  let settled = 0;
  for (const r of rows.filter((r) => Number(r.part) === 0)) {
    counts[r.phase] = Number(r.n);
    settled += Number(r.settled);
  }
  const offline = rows.filter((r) => Number(r.part) === 2);
  for (const r of offline) {
    counts[r.phase] = (counts[r.phase] ?? 0) - 1;
    counts.Offline = (counts.Offline ?? 0) + 1;
    settled -= Number(r.settled);
  }
  for (const p of Object.keys(counts) as RollupPhase[]) if (counts[p] === 0) delete counts[p];
  const rank = (p: RollupPhase) => PHASE_SEVERITY.indexOf(p);
  const notReady = [
    ...rows.filter((r) => Number(r.part) === 1),
    ...offline.map((r) => ({ ...r, phase: "Offline" as const })),
  ]
    .sort((a, b) => rank(a.phase) - rank(b.phase) || ((a.id as string) < (b.id as string) ? -1 : 1))
    .slice(0, q.cap + 1);
  return {
    counts,
    settled,
    notReady: notReady.map((r) => ({
      siteId: r.id as string,
      phase: r.phase,
      lastSeen: r.last_seen,
      reportedRevision: r.reported,
    })),
  };
}
