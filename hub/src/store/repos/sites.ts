/**
 * Sites — labels, presence, broker credentials — and the one-time enrollment tokens that make them. A
 * token is spent by one conditional update, so of two replicas spending it at once exactly one wins.
 */
import type { Labels } from "@nephoran/shared";
import type { EnrollmentRepo, SiteRepo } from "../contract";
import type { Sql } from "../sql";
import type { EnrollmentToken, NewEnrollmentToken, Page, SiteDirectory, SiteRecord } from "../types";
import { HubStoreError, StoreErrorCode } from "../types";
import type { SiteRow } from "./rows";
import { SITE_COLUMNS, decodeCursor, encodeCursor, toSite } from "./rows";
import type { Cached } from "./cache";
import { changing, fresh } from "./cache";

/** Drops the directory and the expected sites, before and after a write that changes either. */
const changingDirectory = <T>(cache: DirectoryCache, write: () => Promise<T>): Promise<T> =>
  changing(
    cache,
    () => {
      cache.value = undefined;
      cache.pending = undefined;
    },
    write,
  );

/**
 * A site that is offline, in SQL (`?` the cutoff): not heard from since it, or gone (said goodbye) since it
 * was last heard from — as `presenceOf` has it. PostgreSQL finds each of the three tests by an index made
 * for it (see its schema): change them together.
 */
export const OFFLINE =
  "(last_seen IS NULL OR last_seen < ? OR (gone_at IS NOT NULL AND gone_at >= last_seen))";

/** How long the directory stands where other replicas enroll and relabel sites too. */
const SHARED_DIRECTORY_MS = 2_000;

/**
 * What names a site in a text — the directory of enrolled sites and the sites expected under unused
 * enrollment tokens — cached for a store and its transactions; dropped on every local change to either.
 */
export interface DirectoryCache extends Cached {
  value?: SiteDirectory | undefined;
  at?: number;
  pending?: { rows: { site: string; labels: Labels; expiresAt: string }[]; at: number } | undefined;
}

export class Sites implements SiteRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
    private readonly cache: DirectoryCache = {},
  ) {}

  async get(id: string): Promise<SiteRecord | undefined> {
    const r = await this.sql.get<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE id = ?`, [id]);
    return r && toSite(r);
  }

  async getMany(ids: readonly string[]): Promise<Map<string, SiteRecord>> {
    const out = new Map<string, SiteRecord>();
    if (!ids.length) return out;
    const rows = await this.sql.all<SiteRow>(
      `SELECT ${SITE_COLUMNS} FROM sites WHERE id IN (SELECT x.value FROM ${this.sql.dialect.jsonValues})`,
      [JSON.stringify(ids)],
    );
    for (const r of rows) out.set(r.id, toSite(r));
    return out;
  }

  async byCredential(hash: string): Promise<SiteRecord | undefined> {
    const r = await this.sql.get<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites WHERE credential_hash = ?`, [
      hash,
    ]);
    return r && toSite(r);
  }

  async list(q: {
    limit: number;
    cursor?: string;
    where?: (s: SiteRecord) => boolean;
  }): Promise<Page<SiteRecord>> {
    const out: SiteRecord[] = [];
    let after = decodeCursor(q.cursor);
    let lastSeq = after;
    // Filters are evaluated here, in pages, so a page is full whenever more match and a cursor stays
    // meaningful whatever the filter.
    for (;;) {
      const rows = await this.sql.all<SiteRow>(
        `SELECT ${SITE_COLUMNS} FROM sites WHERE seq > ? ORDER BY seq LIMIT 500`,
        [after],
      );
      for (const r of rows) {
        const site = toSite(r);
        if (q.where && !q.where(site)) continue;
        if (out.length === q.limit) return { items: out, nextCursor: encodeCursor(lastSeq) };
        out.push(site);
        lastSeq = r.seq;
      }
      if (rows.length < 500) return { items: out, nextCursor: null };
      after = (rows.at(-1) as SiteRow).seq;
    }
  }

  async all(): Promise<SiteRecord[]> {
    return (await this.sql.all<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites ORDER BY seq`)).map(toSite);
  }

  async presence(onlineSince: string): Promise<Map<string, boolean>> {
    const rows = await this.sql.all<{ id: string; off: number }>(
      `SELECT id, CASE WHEN ${OFFLINE} THEN 1 ELSE 0 END AS off FROM sites ORDER BY seq`,
      [onlineSince],
    );
    return new Map(rows.map((r) => [r.id, Number(r.off) === 0]));
  }

  async directory(): Promise<SiteDirectory> {
    const now = this.now().getTime();
    const c = this.cache;
    if (c.value && (!this.sql.dialect.sharedWriters || now - (c.at ?? 0) < SHARED_DIRECTORY_MS))
      return c.value;
    const { value: rows, keep } = await fresh(c, () =>
      this.sql.all<{ id: string; labels: string }>("SELECT id, labels FROM sites"),
    );
    const names = new Set<string>();
    const labelKeys = new Map<string, Set<string>>();
    for (const r of rows) {
      names.add(r.id);
      for (const [k, v] of Object.entries(JSON.parse(r.labels) as Labels))
        labelKeys.set(v, (labelKeys.get(v) ?? new Set()).add(k));
    }
    if (keep) {
      c.value = { names, labelKeys };
      c.at = now;
    }
    return { names, labelKeys };
  }

  setLabels(id: string, labels: Labels): Promise<SiteRecord> {
    return changingDirectory(this.cache, async () => {
      const r = await this.sql.get<SiteRow>(
        `UPDATE sites SET labels = ? WHERE id = ? RETURNING ${SITE_COLUMNS}`,
        [JSON.stringify(labels), id],
      );
      if (!r) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${id}`);
      return toSite(r);
    });
  }

  async requestResync(id: string, at: string): Promise<SiteRecord> {
    const r = await this.sql.get<SiteRow>(
      `UPDATE sites SET resync_requested_at = ? WHERE id = ? RETURNING ${SITE_COLUMNS}`,
      [at, id],
    );
    if (!r) throw new HubStoreError(StoreErrorCode.NotFound, `no site ${id}`);
    return toSite(r);
  }

  delete(id: string): Promise<void> {
    return changingDirectory(this.cache, () => this.#delete(id));
  }

  #delete(id: string): Promise<void> {
    return this.sql.atomic(async (sql) => {
      const lock = sql.dialect.membershipLock(true);
      if (lock) await sql.run(lock);
      if (!(await sql.run("DELETE FROM sites WHERE id = ?", [id])))
        throw new HubStoreError(StoreErrorCode.NotFound, `no site ${id}`);
      await sql.run("DELETE FROM site_reports WHERE site_id = ?", [id]);
      await sql.run("DELETE FROM site_desired WHERE site_id = ?", [id]);
    });
  }

  async setBrokerSecrets(siteId: string, s: { natsNkey: string; mqttHash: string }): Promise<void> {
    await this.sql.run("UPDATE sites SET nats_nkey = ?, mqtt_hash = ? WHERE id = ?", [
      s.natsNkey,
      s.mqttHash,
      siteId,
    ]);
  }

  async behind(
    onlineSince: string,
    limit: number,
  ): Promise<{ id: string; desiredVersion: number; reportedVersion: number }[]> {
    const rows = await this.sql.all<{ id: string; desired_version: number; reported_version: number }>(
      `SELECT id, desired_version, reported_version FROM sites
         WHERE reported_version < desired_version AND last_seen >= ? ORDER BY seq LIMIT ?`,
      [onlineSince, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      desiredVersion: r.desired_version,
      reportedVersion: r.reported_version,
    }));
  }

  async lagging(): Promise<{ id: string; lag: number }[]> {
    const rows = await this.sql.all<{ id: string; lag: number }>(
      `SELECT id, desired_version - reported_version AS lag FROM sites
         WHERE reported_version < desired_version ORDER BY seq`,
    );
    return rows.map((r) => ({ id: r.id, lag: Number(r.lag) }));
  }

  async brokerSecrets(): Promise<{ site: string; natsNkey: string | null; mqttHash: string | null }[]> {
    const rows = await this.sql.all<{ id: string; nats_nkey: string | null; mqtt_hash: string | null }>(
      "SELECT id, nats_nkey, mqtt_hash FROM sites ORDER BY seq",
    );
    return rows.map((r) => ({ site: r.id, natsNkey: r.nats_nkey, mqttHash: r.mqtt_hash }));
  }
}

export class Enrollment implements EnrollmentRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
    private readonly cache: DirectoryCache = {},
  ) {}

  async issue(t: NewEnrollmentToken): Promise<EnrollmentToken> {
    await changingDirectory(this.cache, () =>
      this.sql.run(
        "INSERT INTO enrollment_tokens (id, hash, site, labels, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
        [t.id, t.hash, t.site, JSON.stringify(t.labels), t.expiresAt, t.createdBy],
      ),
    );
    return {
      id: t.id,
      site: t.site,
      labels: t.labels,
      expiresAt: t.expiresAt,
      usedAt: null,
      createdBy: t.createdBy,
    };
  }

  async pending(now: string): Promise<{ site: string; labels: Labels }[]> {
    const at = this.now().getTime();
    let p = this.cache.pending;
    if (!p || (this.sql.dialect.sharedWriters && at - p.at >= SHARED_DIRECTORY_MS)) {
      const { value: rows, keep } = await fresh(this.cache, () =>
        this.sql.all<{ site: string; labels: string; expires_at: string }>(
          "SELECT site, labels, expires_at FROM enrollment_tokens WHERE used_at IS NULL ORDER BY site",
        ),
      );
      p = {
        rows: rows.map((r) => ({
          site: r.site,
          labels: JSON.parse(r.labels) as Labels,
          expiresAt: r.expires_at,
        })),
        at,
      };
      if (keep) this.cache.pending = p;
    }
    return p.rows.filter((r) => r.expiresAt > now).map(({ site, labels }) => ({ site, labels }));
  }

  enroll(
    tokenHash: string,
    now: string,
    credentialHash: string,
    agentVersion: string | null,
  ): Promise<SiteRecord> {
    return changingDirectory(this.cache, () => this.#enroll(tokenHash, now, credentialHash, agentVersion));
  }

  #enroll(
    tokenHash: string,
    now: string,
    credentialHash: string,
    agentVersion: string | null,
  ): Promise<SiteRecord> {
    return this.sql.atomic(async (sql) => {
      const lock = sql.dialect.membershipLock(true);
      if (lock) await sql.run(lock);
      const spent = await sql.get<{ site: string; labels: string }>(
        "UPDATE enrollment_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING site, labels",
        [now, tokenHash, now],
      );
      if (!spent) {
        const t = await sql.get<{ used_at: string | null }>(
          "SELECT used_at FROM enrollment_tokens WHERE hash = ?",
          [tokenHash],
        );
        if (!t) throw new HubStoreError(StoreErrorCode.NotFound, "unknown enrollment token");
        throw new HubStoreError(
          StoreErrorCode.Conflict,
          t.used_at ? "this enrollment token was already used" : "this enrollment token has expired",
        );
      }
      const r = await sql.get<SiteRow>(
        `INSERT INTO sites (id, labels, enrolled_at, agent_version, credential_hash, desired_version) VALUES (?, ?, ?, ?, ?, 1)
           ON CONFLICT (id) DO UPDATE SET labels = excluded.labels, enrolled_at = excluded.enrolled_at, agent_version = excluded.agent_version,
             credential_hash = excluded.credential_hash, desired_version = sites.desired_version + 1
           RETURNING ${SITE_COLUMNS}`,
        [spent.site, spent.labels, now, agentVersion, credentialHash],
      );
      return toSite(r as SiteRow);
    });
  }
}
