/** Schema migrations for SQLite stores, applied in order and recorded in PRAGMA user_version. */
export interface MigratableDb {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(source: string): unknown;
  transaction(fn: () => void): () => unknown;
}

export function applyMigrations(db: MigratableDb, migrations: readonly string[]): void {
  const current = Number(db.pragma("user_version", { simple: true }));
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * Prepares each SQL text once (compiling a statement costs more than running it) and keeps at most `max`,
 * dropping the oldest: the cache stays bounded whatever SQL a caller builds.
 */
export function statementCache<S>(db: { prepare(sql: string): S }, max = 256): (sql: string) => S {
  const statements = new Map<string, S>();
  return (sql) => {
    let st = statements.get(sql);
    if (st === undefined) {
      st = db.prepare(sql);
      if (statements.size >= max) statements.delete(statements.keys().next().value as string);
      statements.set(sql, st);
    }
    return st;
  };
}

/**
 * `fn` as one transaction on `db`, or as part of the one under way (no savepoint: a throw rolls the whole of
 * it back, so no caller may go on inside a transaction after a throw). BEGIN and COMMIT are prepared once:
 * better-sqlite3's `db.transaction(fn)()` builds four wrapper functions on every call. `onCommit` is called
 * after each transaction it committed.
 */
export function transactionRunner(
  db: {
    prepare(sql: string): { run(): unknown };
    readonly inTransaction: boolean;
  },
  onCommit?: () => void,
): <T>(fn: () => T) => T {
  const [begin, commit, rollback] = [db.prepare("BEGIN"), db.prepare("COMMIT"), db.prepare("ROLLBACK")];
  return <T>(fn: () => T): T => {
    if (db.inTransaction) return fn();
    begin.run();
    try {
      const result = fn();
      commit.run();
      onCommit?.();
      return result;
    } catch (e: unknown) {
      if (db.inTransaction) rollback.run();
      throw e;
    }
  };
}
