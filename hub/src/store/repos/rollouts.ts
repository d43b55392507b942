/**
 * Staged rollouts: one record per intent revision rolled out by a strategy, written whole by the one
 * controller that drives it, and each stage's sites as the controller sees them.
 */
import type { RolloutStrategy } from "@nephoran/shared";
import type { RolloutRepo } from "../contract";
import type { Sql } from "../sql";
import type { RolloutRecord, RolloutSite } from "../types";

interface RolloutRow {
  intent_id: string;
  revision: number;
  from_revision: number | null;
  strategy: string;
  stages: string;
  stage: number;
  state: string;
  reason: string | null;
  failures: string;
  started_at: string;
  stage_started_at: string;
  ready_since: string | null;
  updated_at: string;
}

const toRollout = (r: RolloutRow): RolloutRecord =>
  ({
    intentId: r.intent_id,
    revision: r.revision,
    fromRevision: r.from_revision,
    strategy: JSON.parse(r.strategy) as RolloutStrategy,
    stages: JSON.parse(r.stages) as string[][],
    stage: r.stage,
    state: r.state,
    reason: r.reason,
    failures: JSON.parse(r.failures),
    startedAt: r.started_at,
    stageStartedAt: r.stage_started_at,
    readySince: r.ready_since,
    updatedAt: r.updated_at,
  }) as RolloutRecord;

export class Rollouts implements RolloutRepo {
  constructor(private readonly sql: Sql) {}

  async put(r: RolloutRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO rollouts (intent_id, revision, from_revision, strategy, stages, stage, state, reason, failures,
         started_at, stage_started_at, ready_since, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (intent_id, revision) DO UPDATE SET stage = excluded.stage, state = excluded.state,
         reason = excluded.reason, failures = excluded.failures, stage_started_at = excluded.stage_started_at,
         ready_since = excluded.ready_since, updated_at = excluded.updated_at`,
      [
        r.intentId,
        r.revision,
        r.fromRevision,
        JSON.stringify(r.strategy),
        JSON.stringify(r.stages),
        r.stage,
        r.state,
        r.reason,
        JSON.stringify(r.failures),
        r.startedAt,
        r.stageStartedAt,
        r.readySince,
        r.updatedAt,
      ],
    );
  }

  async latest(intentId: string): Promise<RolloutRecord | undefined> {
    const r = await this.sql.get<RolloutRow>(
      "SELECT * FROM rollouts WHERE intent_id = ? ORDER BY revision DESC LIMIT 1",
      [intentId],
    );
    return r && toRollout(r);
  }

  async unfinished(): Promise<RolloutRecord[]> {
    const rows = await this.sql.all<RolloutRow>(
      "SELECT * FROM rollouts WHERE state IN ('Progressing', 'Paused') ORDER BY intent_id, revision",
    );
    return rows.map(toRollout);
  }

  async sites(intentId: string, siteIds: readonly string[]): Promise<RolloutSite[]> {
    if (!siteIds.length) return [];
    const rows = await this.sql.all<{
      id: string;
      revision: number | null;
      deleted: number | null;
      report_revision: number | null;
      report_phase: string | null;
      report_unknown: number | null;
      last_seen: string | null;
      gone_at: string | null;
    }>(
      `SELECT s.id, d.revision, d.deleted, d.report_revision, d.report_phase, d.report_unknown, s.last_seen, s.gone_at
       FROM sites s LEFT JOIN site_desired d ON d.site_id = s.id AND d.intent_id = ?
       WHERE s.id IN (SELECT x.value FROM ${this.sql.dialect.jsonValues}) ORDER BY s.id`,
      [intentId, JSON.stringify(siteIds)],
    );
    return rows.map((r) => ({
      site: r.id,
      revision: r.revision === null || r.deleted === 1 ? null : r.revision,
      reportRevision: r.report_revision,
      reportPhase: r.report_phase,
      reportUnknown: r.report_unknown === 1,
      lastSeen: r.last_seen,
      goneAt: r.gone_at,
    }));
  }
}
