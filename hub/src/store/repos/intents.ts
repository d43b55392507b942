/** Intents and their revisions: an If-Match change is checked and applied under the intent's row lock. */
import type { Intent } from "@nephoran/shared";
import type { IntentRepo } from "../contract";
import type { Sql } from "../sql";
import { marks } from "../sql";
import type { IntentChange, IntentQuery, NewIntent, Page } from "../types";
import { HubStoreError, StoreErrorCode } from "../types";
import type { IntentRow } from "./rows";
import { decodeCursor, pageOf, toIntent } from "./rows";

/**
 * An intent being deleted is gone once every site it was on has acknowledged its removal (at once, when it
 * was on none). Its reports, revisions and rollouts go with it, so it never comes back as anything else.
 */
export async function purgeReleased(sql: Sql): Promise<string[]> {
  const purged = await sql.all<{ id: string }>(
    `DELETE FROM intents WHERE state = 'deleting' AND NOT EXISTS (
       SELECT 1 FROM site_desired d JOIN sites s ON s.id = d.site_id
       WHERE d.intent_id = intents.id AND (d.deleted = 0 OR s.reported_version < d.version))
     RETURNING id`,
  );
  const ids = purged.map((p) => p.id);
  if (ids.length)
    for (const table of ["site_reports", "intent_revisions", "rollouts", "intent_reports"])
      await sql.run(`DELETE FROM ${table} WHERE intent_id IN (${marks(ids.length)})`, ids);
  return ids;
}

export class Intents implements IntentRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  async create(i: NewIntent): Promise<Intent> {
    return (await this.createMany([i]))[0] as Intent;
  }

  async createMany(list: readonly NewIntent[]): Promise<Intent[]> {
    const now = this.now().toISOString();
    const created = list.map((i): Intent => ({
      id: i.id,
      name: i.name,
      ...(i.text !== undefined ? { text: i.text } : {}),
      ...(i.description !== undefined ? { description: i.description } : {}),
      ...(i.expression !== undefined ? { expression: i.expression } : {}),
      plan: i.plan,
      siteSelector: i.siteSelector,
      revision: 1,
      priority: i.priority,
      ...(i.rollout ? { rollout: i.rollout } : {}),
      state: "active",
      createdAt: now,
      updatedAt: now,
      createdBy: i.createdBy,
    }));
    if (!created.length) return [];
    return this.sql.atomic(async (sql) => {
      try {
        await sql.run(
          `INSERT INTO intents (id, name, text, description, expression, plan, site_selector, revision, priority, rollout, state, created_at, updated_at, created_by)
           SELECT x.value ->> 0, x.value ->> 1, x.value ->> 2, x.value ->> 3, x.value ->> 4, x.value ->> 5,
             x.value ->> 6, 1, x.value ->> 7, x.value ->> 8, 'active', ?, ?, x.value ->> 9
           FROM ${sql.dialect.jsonRows}`,
          [
            now,
            now,
            JSON.stringify(
              created.map((i) => [
                i.id,
                i.name,
                i.text ?? null,
                i.description ?? null,
                i.expression ? JSON.stringify(i.expression) : null,
                JSON.stringify(i.plan),
                JSON.stringify(i.siteSelector),
                i.priority,
                i.rollout ? JSON.stringify(i.rollout) : null,
                i.createdBy,
              ]),
            ),
          ],
        );
      } catch (e: unknown) {
        if (sql.dialect.isUniqueViolation(e))
          throw new HubStoreError(
            StoreErrorCode.Conflict,
            created.length === 1
              ? `intent ${created[0]?.id} exists`
              : `one of intents ${created.map((i) => i.id).join(", ")} exists`,
          );
        throw e;
      }
      await this.#keep(sql, created);
      return created;
    });
  }

  /** Each revision as it was made: what a site held back by a rollout, or a rollback, is sent. */
  #keep(sql: Sql, list: readonly Intent[]): Promise<number> {
    return sql.run(
      `INSERT INTO intent_revisions (intent_id, revision, intent, created_at)
         SELECT x.value ->> 0, CAST(x.value ->> 1 AS INTEGER), x.value ->> 2, x.value ->> 3
         FROM ${sql.dialect.jsonRows}`,
      [JSON.stringify(list.map((i) => [i.id, i.revision, JSON.stringify(i), i.updatedAt]))],
    );
  }

  async revision(id: string, revision: number): Promise<Intent | undefined> {
    const r = await this.sql.get<{ intent: string }>(
      "SELECT intent FROM intent_revisions WHERE intent_id = ? AND revision = ?",
      [id, revision],
    );
    if (r) return JSON.parse(r.intent) as Intent;
    const cur = await this.get(id);
    return cur?.revision === revision ? cur : undefined;
  }

  async revisions(id: string): Promise<Intent[]> {
    const rows = await this.sql.all<{ intent: string }>(
      "SELECT intent FROM intent_revisions WHERE intent_id = ? ORDER BY revision",
      [id],
    );
    const kept = rows.map((r) => JSON.parse(r.intent) as Intent);
    const cur = await this.get(id);
    return cur && !kept.some((k) => k.revision === cur.revision) ? [...kept, cur] : kept;
  }

  async get(id: string): Promise<Intent | undefined> {
    const r = await this.sql.get<IntentRow>("SELECT * FROM intents WHERE id = ?", [id]);
    return r && toIntent(r);
  }

  async list(q: IntentQuery): Promise<Page<Intent>> {
    const where = ["seq > ?"];
    const params: unknown[] = [decodeCursor(q.cursor)];
    if (q.state) {
      where.push("state = ?");
      params.push(q.state);
    }
    if (q.priority) {
      where.push("priority = ?");
      params.push(q.priority);
    }
    // Which intents a site runs: the per-site desired table sync uses, the one answer to that question.
    if (q.site) {
      where.push(
        "EXISTS (SELECT 1 FROM site_desired d WHERE d.intent_id = intents.id AND d.site_id = ? AND d.deleted = 0)",
      );
      params.push(q.site);
    }
    const rows = await this.sql.all<IntentRow>(
      `SELECT * FROM intents WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`,
      [...params, q.limit + 1],
    );
    return pageOf(rows, q.limit, toIntent);
  }

  update(id: string, ifRevision: number, change: IntentChange): Promise<Intent> {
    return this.sql.atomic(async (sql) => {
      const row = await sql.get<IntentRow>(`SELECT * FROM intents WHERE id = ?${sql.dialect.forUpdate}`, [
        id,
      ]);
      if (!row) throw new HubStoreError(StoreErrorCode.NotFound, `no intent ${id}`);
      const cur = toIntent(row);
      if (cur.revision !== ifRevision)
        throw new HubStoreError(
          StoreErrorCode.Stale,
          `intent ${id} is at revision ${cur.revision}, not ${ifRevision}`,
        );
      if (cur.state !== "active")
        throw new HubStoreError(StoreErrorCode.Conflict, `intent ${id} is being deleted`);
      const rollout = change.rollout === undefined ? cur.rollout : change.rollout;
      const expression = change.expression ?? cur.expression;
      const row2 = await sql.get<IntentRow>(
        `UPDATE intents SET name = ?, text = ?, description = ?, expression = ?, plan = ?, site_selector = ?, priority = ?, rollout = ?, revision = revision + 1, updated_at = ?
           WHERE id = ? RETURNING *`,
        [
          change.name ?? cur.name,
          change.text !== undefined ? change.text : (cur.text ?? null),
          change.description !== undefined ? change.description : (cur.description ?? null),
          expression ? JSON.stringify(expression) : null,
          JSON.stringify(change.plan ?? cur.plan),
          JSON.stringify(change.siteSelector ?? cur.siteSelector),
          change.priority ?? cur.priority,
          rollout ? JSON.stringify(rollout) : null,
          this.now().toISOString(),
          id,
        ],
      );
      const updated = toIntent(row2 as IntentRow);
      await this.#keep(sql, [updated]);
      return updated;
    });
  }

  async markDeleting(id: string): Promise<Intent> {
    const row = await this.sql.get<IntentRow>(
      "UPDATE intents SET state = 'deleting', revision = revision + 1, updated_at = ? WHERE id = ? AND state = 'active' RETURNING *",
      [this.now().toISOString(), id],
    );
    if (row) return toIntent(row);
    if (!(await this.get(id))) throw new HubStoreError(StoreErrorCode.NotFound, `no intent ${id}`);
    throw new HubStoreError(StoreErrorCode.Conflict, `intent ${id} is already being deleted`);
  }

  purgeReleased(): Promise<string[]> {
    return this.sql.atomic(purgeReleased);
  }

  async count(): Promise<number> {
    return Number((await this.sql.get<{ n: number }>("SELECT count(*) AS n FROM intents"))?.n ?? 0);
  }
}
