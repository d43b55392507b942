/** The agent's SQLite file: opened in WAL mode with its migrations applied, and its key–value meta. */
import Database from "better-sqlite3";
import { applyMigrations, statementCache, transactionRunner } from "@nephoran/shared";
import { StoreError, StoreErrorCode } from "./errors";
import { MIGRATIONS } from "./migrations";

/**
 * WAL pages past which a commit checkpoints by itself (SQLite's default is 1,000): a backstop, as the agent
 * checkpoints between reconcile passes (AgentStore.checkpoint), off the path of a change's acknowledgement.
 */
export const AUTOCHECKPOINT_PAGES = 4000;

/** The open database and its statements, prepared once per SQL text (at most 256 kept). */
export interface Db {
  readonly db: Database.Database;
  readonly stmt: (sql: string) => Database.Statement;
  /** `fn` as one transaction, or as part of the one under way (see transactionRunner). */
  readonly atomic: <T>(fn: () => T) => T;
  /** Transactions committed (through `atomic`) since the last checkpoint. */
  sinceCheckpoint: number;
}

/** Opens (creating if needed) the database at `file`; ":memory:" for a throwaway one. */
export function openDatabase(file: string): Db {
  try {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    applyMigrations(db, MIGRATIONS);
    const stmt = statementCache(db);
    const d: Db = {
      db,
      stmt,
      sinceCheckpoint: 0,
      atomic: transactionRunner(db, () => d.sinceCheckpoint++),
    };
    return d;
  } catch (e: unknown) {
    throw new StoreError(
      StoreErrorCode.Corrupt,
      `cannot open the agent store at ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** Small named values: the site the file belongs to, the sync cursor, the report sequence. */
export class Meta {
  constructor(private readonly d: Db) {}

  get(key: string): string | undefined {
    const row = this.d.stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Adds one to a count (absent: 0) and returns the new value, in one statement. */
  increment(key: string): number {
    const row = this.d
      .stmt(
        "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value",
      )
      .get(key) as { value: string | number };
    return Number(row.value);
  }

  set(key: string, value: string): void {
    this.d
      .stmt(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(key, value);
  }
}
