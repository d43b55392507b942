export * from "./types";
export type * from "./contract";
export { openSqliteStore } from "./sqlite";
export { openPostgresStore } from "./postgres";
export type { PostgresOptions } from "./postgres";
export { openStore } from "./open";
