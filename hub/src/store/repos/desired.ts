/**
 * What each site should hold: for every (site, intent) the revision wanted there or a tombstone, stamped
 * with the site's desired version at that change. Each row also mirrors the site's latest report on the
 * intent (revision, phase, Ready Unknown; kept by the reports repository), so a rollup reads one index. Intent retargets share the membership lock, site label
 * and enrollment changes hold it alone, so "which sites does this intent reach" has one answer at commit.
 */
import type { SiteSelector } from "@nephoran/shared";
import { selects } from "@nephoran/shared";
import type { DesiredRepo } from "../contract";
import type { Sql } from "../sql";
import { marks } from "../sql";
import type { DesiredRow, RetargetIntent, SiteChange } from "../types";
import { HubStoreError, StoreErrorCode } from "../types";
import type { SiteRow } from "./rows";
import { SITE_COLUMNS, toSite } from "./rows";

type Todo = [site: string, intentId: string, revision: number, deleted: boolean];

/**
 * What must change so that the rows `have` (keyed by site or intent) hold `wanted`: a wanted key whose row
 * is missing, a tombstone or another revision gets the wanted revision; a live row no longer wanted gets a
 * tombstone at its revision.
 */
function changesFrom(
  have: readonly { key: string; revision: number; deleted: number }[],
  wanted: ReadonlyMap<string, number>,
): [key: string, revision: number, deleted: boolean][] {
  const out: [string, number, boolean][] = [];
  const seen = new Set<string>();
  for (const h of have) {
    seen.add(h.key);
    const rev = wanted.get(h.key);
    if (rev !== undefined && (h.deleted || h.revision !== rev)) out.push([h.key, rev, false]);
    if (rev === undefined && !h.deleted) out.push([h.key, h.revision, true]);
  }
  for (const [key, rev] of wanted) if (!seen.has(key)) out.push([key, rev, false]);
  return out;
}

/** A WHERE clause over `sites` picking what the selector picks (labels compared in SQL). */
function selectorClause(sql: Sql, sel: SiteSelector): { text: string; params: unknown[] } | undefined {
  if (sel.all) return { text: "1 = 1", params: [] };
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (sel.names?.length) {
    clauses.push(`id IN (${marks(sel.names.length)})`);
    params.push(...sel.names);
  }
  const labels = Object.entries(sel.matchLabels ?? {});
  if (labels.length) {
    const parts = labels.map(([k, v]) => {
      const l = sql.dialect.label(k);
      params.push(l.param, v);
      return `${l.sql} = ?`;
    });
    clauses.push(`(${parts.join(" AND ")})`);
  }
  return clauses.length ? { text: clauses.join(" OR "), params } : undefined;
}

/** Writes the rows, each site's at its new version; returns them as changes. */
async function write(sql: Sql, rows: readonly (readonly [...Todo, number])[]): Promise<SiteChange[]> {
  if (!rows.length) return [];
  await sql.run(
    `INSERT INTO site_desired (site_id, intent_id, revision, version, deleted, report_revision, report_phase, report_unknown)
       SELECT x.value ->> 0, x.value ->> 1, CAST(x.value ->> 2 AS INTEGER), CAST(x.value ->> 4 AS INTEGER),
         CAST(x.value ->> 3 AS INTEGER), r.revision, r.phase, coalesce(r.ready_unknown, 0)
       FROM ${sql.dialect.jsonRows} LEFT JOIN site_reports r ON r.site_id = x.value ->> 0 AND r.intent_id = x.value ->> 1
       WHERE 1 = 1
       ON CONFLICT (site_id, intent_id) DO UPDATE SET revision = excluded.revision, version = excluded.version, deleted = excluded.deleted`,
    [JSON.stringify(rows.map(([s, i, r, d, v]) => [s, i, r, d ? 1 : 0, v]))],
  );
  return rows.map(([site, intentId, revision, deleted, version]) => ({
    site,
    version,
    base: version - 1,
    intentId,
    revision,
    deleted,
  }));
}

/** Each site's desired version goes up by one (sites locked in name order, so two writers cannot deadlock). */
async function bump(sql: Sql, todo: readonly Todo[]): Promise<SiteChange[]> {
  if (!todo.length) return [];
  const ids = JSON.stringify([...new Set(todo.map((t) => t[0]))].sort());
  const within = `id IN (SELECT x.value FROM ${sql.dialect.jsonValues})`;
  if (sql.dialect.forUpdate)
    await sql.all(`SELECT id FROM sites WHERE ${within} ORDER BY id${sql.dialect.forUpdate}`, [ids]);
  const versions = new Map(
    (
      await sql.all<{ id: string; desired_version: number }>(
        `UPDATE sites SET desired_version = desired_version + 1 WHERE ${within} RETURNING id, desired_version`,
        [ids],
      )
    ).map((r) => [r.id, r.desired_version]),
  );
  return write(
    sql,
    todo.flatMap((t) => {
      const v = versions.get(t[0]);
      return v === undefined ? [] : [[...t, v] as const];
    }),
  );
}

export class Desired implements DesiredRepo {
  constructor(private readonly sql: Sql) {}

  retargetIntent(
    intentId: string,
    revision: number | null,
    selector: SiteSelector | null,
  ): Promise<SiteChange[]> {
    return this.retargetIntents([{ intentId, revision, selector }]);
  }

  retargetIntents(list: readonly RetargetIntent[]): Promise<SiteChange[]> {
    return this.sql.atomic(async (sql) => {
      const lock = sql.dialect.membershipLock(false);
      if (lock) await sql.run(lock);
      // Which sites each selector picks, in one read: a column per intent says whether its selector does.
      const clauses = list.map((l) =>
        l.revision !== null && l.selector ? selectorClause(sql, l.selector) : undefined,
      );
      const picked = list.map(() => new Set<string>());
      const asked = clauses.flatMap((c, i) => (c ? [{ ...c, i }] : []));
      if (asked.length)
        for (const r of await sql.all<Record<string, unknown>>(
          `SELECT id, ${asked.map((c) => `(${c.text}) AS m${c.i}`).join(", ")} FROM sites
           WHERE ${asked.map((c) => `(${c.text})`).join(" OR ")}`,
          [...asked.flatMap((c) => c.params), ...asked.flatMap((c) => c.params)],
        ))
          for (const c of asked) if (r[`m${c.i}`]) picked[c.i]?.add(r.id as string);
      // An intent's first revision is desired nowhere yet: nothing to read.
      const again = list.filter((l) => l.revision !== 1).map((l) => l.intentId);
      const existing = new Map<string, { key: string; revision: number; deleted: number }[]>();
      if (again.length)
        for (const e of await sql.all<{
          intent_id: string;
          site_id: string;
          revision: number;
          deleted: number;
        }>(
          `SELECT intent_id, site_id, revision, deleted FROM site_desired WHERE intent_id IN (${marks(again.length)})`,
          again,
        )) {
          const rows = existing.get(e.intent_id) ?? [];
          if (!rows.length) existing.set(e.intent_id, rows);
          rows.push({ key: e.site_id, revision: e.revision, deleted: e.deleted });
        }
      const todo = list.flatMap(({ intentId, revision }, i) =>
        changesFrom(
          existing.get(intentId) ?? [],
          new Map([...(picked[i] as Set<string>)].map((site) => [site, revision as number])),
        ).map(([site, rev, del]): Todo => [site, intentId, rev, del]),
      );
      return bump(sql, todo);
    });
  }

  assign(intentId: string, wanted: ReadonlyMap<string, number | null>): Promise<SiteChange[]> {
    return this.sql.atomic(async (sql) => {
      const lock = sql.dialect.membershipLock(false);
      if (lock) await sql.run(lock);
      const have = new Map(
        (
          await sql.all<{ site_id: string; revision: number; deleted: number }>(
            `SELECT site_id, revision, deleted FROM site_desired
             WHERE intent_id = ? AND site_id IN (SELECT x.value FROM ${sql.dialect.jsonValues})`,
            [intentId, JSON.stringify([...wanted.keys()])],
          )
        ).map((h) => [h.site_id, h]),
      );
      const todo: Todo[] = [];
      for (const [site, rev] of wanted) {
        const h = have.get(site);
        if (rev !== null && (!h || h.deleted || h.revision !== rev)) todo.push([site, intentId, rev, false]);
        if (rev === null && h && !h.deleted) todo.push([site, intentId, h.revision, true]);
      }
      return bump(sql, todo);
    });
  }

  async targets(selector: SiteSelector): Promise<{ id: string; labels: Record<string, string> }[]> {
    const clause = selectorClause(this.sql, selector);
    if (!clause) return [];
    const rows = await this.sql.all<{ id: string; labels: string }>(
      `SELECT id, labels FROM sites WHERE ${clause.text} ORDER BY id`,
      clause.params,
    );
    return rows.map((r) => ({ id: r.id, labels: JSON.parse(r.labels) as Record<string, string> }));
  }

  retargetSite(siteId: string): Promise<SiteChange[]> {
    return this.sql.atomic(async (sql) => {
      const lock = sql.dialect.membershipLock(true);
      if (lock) await sql.run(lock);
      const row = await sql.get<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = ?`, [siteId]);
      if (!row) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${siteId}`);
      const site = toSite(row);
      const wanted = new Map<string, number>();
      const active = await sql.all<{ id: string; revision: number; site_selector: string }>(
        "SELECT id, revision, site_selector FROM intents WHERE state = 'active'",
      );
      for (const r of active)
        if (selects(JSON.parse(r.site_selector) as SiteSelector, site)) wanted.set(r.id, r.revision);
      // A staged rollout reaches a site in its stage's turn: until then, what the site held before.
      const staged = await sql.all<{
        intent_id: string;
        from_revision: number | null;
        stages: string;
        stage: number;
      }>(
        `SELECT r.intent_id, r.from_revision, r.stages, r.stage FROM rollouts r
         JOIN intents i ON i.id = r.intent_id AND i.revision = r.revision
         WHERE r.state IN ('Progressing', 'Paused', 'RolledBack')`,
      );
      for (const r of staged) {
        if (!wanted.has(r.intent_id)) continue;
        const reached = (JSON.parse(r.stages) as string[][]).slice(0, r.stage + 1).flat();
        if (reached.includes(siteId)) continue;
        if (r.from_revision === null) wanted.delete(r.intent_id);
        else wanted.set(r.intent_id, r.from_revision);
      }
      const have = await sql.all<{ intent_id: string; revision: number; deleted: number }>(
        "SELECT intent_id, revision, deleted FROM site_desired WHERE site_id = ?",
        [siteId],
      );
      const todo = changesFrom(
        have.map((h) => ({ key: h.intent_id, revision: h.revision, deleted: h.deleted })),
        wanted,
      ).map(([id, rev, del]): Todo => [siteId, id, rev, del]);
      if (!todo.length) return [];
      // One new version for the whole batch: a site acknowledges it as one snapshot.
      const v = await sql.get<{ desired_version: number }>(
        "UPDATE sites SET desired_version = desired_version + 1 WHERE id = ? RETURNING desired_version",
        [siteId],
      );
      const version = (v as { desired_version: number }).desired_version;
      return write(
        sql,
        todo.map((t) => [...t, version] as const),
      );
    });
  }

  async since(siteId: string, since: number): Promise<{ version: number; changes: DesiredRow[] }> {
    // One statement, so the version and the rows are of one moment.
    const rows = await this.sql.all<{
      desired_version: number;
      intent_id: string | null;
      revision: number | null;
      deleted: number | null;
    }>(
      `SELECT s.desired_version, d.intent_id, d.revision, d.deleted FROM sites s
         LEFT JOIN site_desired d ON d.site_id = s.id AND d.version > ? AND (d.deleted = 0 OR ? > 0)
         WHERE s.id = ? ORDER BY d.version`,
      [since, since, siteId],
    );
    const first = rows[0];
    if (!first) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${siteId}`);
    return {
      version: first.desired_version,
      changes: rows.flatMap((r) =>
        r.intent_id === null
          ? []
          : [{ intentId: r.intent_id, revision: r.revision as number, deleted: r.deleted === 1 }],
      ),
    };
  }

  async set(siteId: string): Promise<{ id: string; revision: number }[]> {
    const rows = await this.sql.all<{ intent_id: string; revision: number }>(
      "SELECT intent_id, revision FROM site_desired WHERE site_id = ? AND deleted = 0",
      [siteId],
    );
    return rows.map((r) => ({ id: r.intent_id, revision: r.revision }));
  }
}
