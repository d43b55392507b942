/**
 * The hub store on PostgreSQL (node-postgres), for one or several hub replicas. Each statement runs on the
 * pool; a transaction holds one connection and runs again when it lost a race with another replica
 * (serialization failure or deadlock). Migrations run at start under an advisory lock, so replicas
 * starting together migrate once. A database that cannot be reached is a HubStoreError UNAVAILABLE.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import type { Engine } from "./compose";
import { composeStore } from "./compose";
import type { HubStore } from "./contract";
import { pgLeadership } from "./postgres-lead";
import { pgBroadcast } from "./postgres-listen";
import { PG_MIGRATIONS } from "./postgres-schema";
import type { Dialect, Sql } from "./sql";
import { HubStoreError, StoreErrorCode } from "./types";

/** Advisory lock keys: the schema's migration, and the membership lock (see Dialect.membershipLock). */
const MIGRATION_LOCK = 0x4e45_5048_0001n;
const MEMBERSHIP_LOCK = 0x4e45_5048_0002n;
const RETRIES = 8;

const code = (e: unknown): string => String((e as { code?: unknown }).code ?? "");

const dialect: Dialect = {
  engine: "postgres",
  sharedWriters: true,
  label: (key) => ({ sql: "(labels::jsonb ->> ?)", param: key }),
  jsonValues: "json_array_elements_text(?::json) AS x(value)",
  jsonRows: "json_array_elements(?::json) AS x(value)",
  greatest: "greatest",
  desiredGist: "site_desired d",
  forUpdate: " FOR UPDATE",
  membershipLock: (exclusive) =>
    `SELECT ${exclusive ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared"}(${MEMBERSHIP_LOCK})`,
  isUniqueViolation: (e) => code(e) === "23505",
};

/**
 * A statement as PostgreSQL takes it: `?` placeholders as $1, $2 … (none of the store's SQL has a `?` inside
 * a string literal), named by its text. A named statement is parsed once per connection and its plan kept:
 * the store's statements are a fixed set run many times, and planning the rollup's cost more than running it.
 */
const prepared = new Map<string, { name: string; text: string }>();
function toPg(text: string): { name: string; text: string } {
  let out = prepared.get(text);
  if (out === undefined) {
    let n = 0;
    out = {
      name: `s${createHash("sha256").update(text).digest("base64url").slice(0, 22)}`,
      text: text.replace(/\?/g, () => `$${++n}`),
    };
    if (prepared.size >= 512) prepared.clear();
    prepared.set(text, out);
  }
  return out;
}

/** Lost a race with another transaction: running it again is the answer. */
const isRetryable = (e: unknown): boolean => code(e) === "40001" || code(e) === "40P01";

/** The database is not there (refused, reset, shutting down, starting): the caller may try again later. */
function unavailable(e: unknown): HubStoreError | undefined {
  const c = code(e);
  const message = e instanceof Error ? e.message : String(e);
  if (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|57P01|57P02|57P03|53300)$/.test(c) ||
    c.startsWith("08") ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
  )
    return new HubStoreError(StoreErrorCode.Unavailable, `the database cannot be reached: ${message}`);
  return undefined;
}

/** bigint (count, identity) as a JS number: the store's numbers stay far below 2^53. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

class PgSql implements Sql {
  readonly dialect = dialect;
  constructor(
    private readonly pool: pg.Pool,
    private readonly client?: pg.PoolClient,
  ) {}

  async #query<R>(text: string, params: readonly unknown[]): Promise<pg.QueryResult<R & pg.QueryResultRow>> {
    try {
      return await (this.client ?? this.pool).query<R & pg.QueryResultRow>({
        ...toPg(text),
        values: params as unknown[],
      });
    } catch (e) {
      throw unavailable(e) ?? e;
    }
  }

  async all<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.#query<R>(text, params)).rows;
  }

  async get<R>(text: string, params: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.#query<R>(text, params)).rows[0];
  }

  async run(text: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.#query(text, params)).rowCount ?? 0;
  }

  async atomic<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw unavailable(e) ?? e;
      }
      let broken = false;
      try {
        await client.query("BEGIN");
        const out = await fn(new PgSql(this.pool, client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => (broken = true));
        if (isRetryable(e) && attempt < RETRIES) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw unavailable(e) ?? e;
      } finally {
        client.release(broken);
      }
    }
  }
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`);
    await client.query("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const r = await client.query<{ version: number }>("SELECT version FROM schema_version");
    const current = r.rows[0]?.version ?? 0;
    for (let v = current; v < PG_MIGRATIONS.length; v++) {
      await client.query("BEGIN");
      await client.query(PG_MIGRATIONS[v] as string);
      await client.query("DELETE FROM schema_version");
      await client.query("INSERT INTO schema_version (version) VALUES ($1)", [v + 1]);
      await client.query("COMMIT");
    }
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
    client.release();
  }
}

/** The URL with the password in it (node-postgres lets a URL's fields win over separate ones). */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export interface PostgresOptions {
  /** Connections kept at most (per hub replica). */
  readonly poolSize?: number;
  /** Used when the URL has none (from a file or PGPASSWORD): never on a command line. */
  readonly password?: string;
}

/** Opens the store at a postgres:// URL, migrating its schema first. */
export async function openPostgresStore(
  url: string,
  now: () => Date = () => new Date(),
  opts: PostgresOptions = {},
): Promise<HubStore> {
  const connectionString = withPassword(url, opts.password);
  const pool = new pg.Pool({
    connectionString,
    max: opts.poolSize ?? 10,
    types,
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection that dies (the database restarted) is dropped from the pool, not thrown.
  pool.on("error", () => undefined);
  try {
    await migrate(pool);
  } catch (e) {
    await pool.end();
    throw unavailable(e) ?? e;
  }
  const leadership = pgLeadership(connectionString);
  const engine: Engine = {
    sql: new PgSql(pool),
    broadcast: pgBroadcast(pool, connectionString),
    leadership,
    pool: () => ({
      max: opts.poolSize ?? 10,
      open: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    ping: async () => {
      try {
        return (await pool.query("SELECT 1 AS ok")).rows[0]?.ok === 1;
      } catch {
        return false;
      }
    },
    close: async () => {
      await leadership.release();
      await pool.end();
    },
  };
  return composeStore(engine, now);
}
