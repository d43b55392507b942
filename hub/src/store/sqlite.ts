/**
 * The default hub store: one SQLite file (better-sqlite3, WAL). One connection writes and one reads: reads
 * never wait, and a transaction — which may await between its statements — holds the writer alone, so
 * no other request's write lands inside it.
 */
import Database from "better-sqlite3";
import { applyMigrations, statementCache } from "@nephoran/shared";
import type { Engine } from "./compose";
import { composeStore } from "./compose";
import type { HubStore } from "./contract";
import { MIGRATIONS } from "./migrations";
import type { Dialect, Sql } from "./sql";

const dialect: Dialect = {
  engine: "sqlite",
  sharedWriters: false,
  label: (key) => ({ sql: "json_extract(labels, ?)", param: `$."${key.replace(/"/g, '""')}"` }),
  jsonValues: "json_each(?) AS x",
  jsonRows: "json_each(?) AS x",
  greatest: "max",
  // The rollup reads the narrow covering index, not the unique key that leads to the rows (the planner
  // cannot tell the two apart without statistics).
  desiredGist: "site_desired d INDEXED BY site_desired_gist",
  forUpdate: "",
  membershipLock: () => undefined,
  isUniqueViolation: (e) =>
    /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((e as { code?: unknown }).code)),
};

/** A lock that a caller may await; taken at once when free. */
class WriterLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];
  get free(): boolean {
    return !this.#held;
  }
  get waiting(): number {
    return this.#waiting.length;
  }
  async take(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

const isRead = (text: string): boolean => /^\s*SELECT\b/i.test(text);

function sqliteEngine(file: string): Engine {
  const writer = new Database(file);
  writer.pragma("journal_mode = WAL");
  writer.pragma("synchronous = NORMAL");
  writer.pragma("busy_timeout = 5000");
  applyMigrations(writer, MIGRATIONS);
  // A fleet's rollups read a few megabytes of index per intent: keep them in memory (64 MB, not 2).
  writer.pragma("cache_size = -65536");
  const reader = new Database(file, { readonly: true });
  reader.pragma("busy_timeout = 5000");
  reader.pragma("cache_size = -65536");
  const onReader = statementCache<Database.Statement<unknown[]>>(reader);
  const onWriter = statementCache<Database.Statement<unknown[]>>(writer);
  const lock = new WriterLock();

  // Inside a transaction: every statement on the writer, at once (the transaction holds the lock).
  const inTx: Sql = {
    dialect,
    all: async <R>(text: string, params: readonly unknown[] = []) => onWriter(text).all(...params) as R[],
    get: async <R>(text: string, params: readonly unknown[] = []) =>
      onWriter(text).get(...params) as R | undefined,
    run: async (text, params = []) => onWriter(text).run(...params).changes,
    atomic: (fn) => fn(inTx),
  };
  /** A write outside a transaction: at once when the writer is free, else after the transaction holding it. */
  const write = async <T>(fn: () => T): Promise<T> => {
    if (lock.free) return fn();
    await lock.take();
    try {
      return fn();
    } finally {
      lock.give();
    }
  };
  const root: Sql = {
    dialect,
    all: async <R>(text: string, params: readonly unknown[] = []) =>
      isRead(text)
        ? (onReader(text).all(...params) as R[])
        : write(() => onWriter(text).all(...params) as R[]),
    get: async <R>(text: string, params: readonly unknown[] = []) =>
      isRead(text)
        ? (onReader(text).get(...params) as R | undefined)
        : write(() => onWriter(text).get(...params) as R | undefined),
    run: (text, params = []) => write(() => onWriter(text).run(...params).changes),
    atomic: async (fn) => {
      await lock.take();
      try {
        onWriter("BEGIN IMMEDIATE").run();
        try {
          const out = await fn(inTx);
          onWriter("COMMIT").run();
          return out;
        } catch (e) {
          if (writer.inTransaction) onWriter("ROLLBACK").run();
          throw e;
        }
      } finally {
        lock.give();
      }
    },
  };
  return {
    sql: root,
    ping: async () => (onReader("SELECT 1 AS ok").get() as { ok: number }).ok === 1,
    // Two connections, open for the store's life: the writer (busy while a transaction holds it) and a reader.
    pool: () => ({ max: 2, open: 2, idle: lock.free ? 2 : 1, waiting: lock.waiting }),
    close: async () => {
      await lock.take();
      if (reader.open) reader.close();
      if (writer.open) writer.close();
      lock.give();
    },
  };
}

export function openSqliteStore(file: string, now: () => Date = () => new Date()): HubStore {
  return composeStore(sqliteEngine(file), now);
}
