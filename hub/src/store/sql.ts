/**
 * What the store's repositories run their SQL on — one port both engines keep — and the few places where
 * SQLite and PostgreSQL spell a thing differently. SQL is written with `?` placeholders; an engine that
 * numbers them ($1, $2 …) converts.
 */
export interface Dialect {
  readonly engine: "sqlite" | "postgres";
  /** Other processes write the same database: per-process caches must expire, not only be dropped. */
  readonly sharedWriters: boolean;
  /** An expression for site label `key` of the `labels` column, and the parameter that names the key. */
  label(key: string): { sql: string; param: string };
  /** A table `x` with one text column `value` per element of a JSON array of strings given as a parameter. */
  readonly jsonValues: string;
  /** A table `x` with one JSON column `value` per element of a JSON array given as a parameter. */
  readonly jsonRows: string;
  /** The larger of two values. */
  readonly greatest: string;
  /** `site_desired d`, read through its covering index (intent, deleted, site, and the report's mirror). */
  readonly desiredGist: string;
  /** Locks the rows a SELECT reads until the transaction ends (nothing where there is one writer). */
  readonly forUpdate: string;
  /**
   * Serializes writes that change which sites an intent reaches: intent retargets share it, site label
   * and enrollment changes hold it alone. Nothing where there is one writer.
   */
  membershipLock(exclusive: boolean): string | undefined;
  isUniqueViolation(e: unknown): boolean;
}

export interface Sql {
  readonly dialect: Dialect;
  all<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  get<R>(text: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** Runs a write; the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
  /** Runs `fn` in one transaction; inside one already, joins it. */
  atomic<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
}

/** `?, ?, ?` for n parameters. */
export const marks = (n: number): string => Array.from({ length: n }, () => "?").join(", ");
