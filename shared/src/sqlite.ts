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
