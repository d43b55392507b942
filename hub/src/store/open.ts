/** The store a hub is configured with: a postgres:// URL, or else a SQLite file. */
import type { HubStore } from "./contract";
import type { PostgresOptions } from "./postgres";
import { openPostgresStore } from "./postgres";
import { openSqliteStore } from "./sqlite";

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

export function openStore(location: string, now: () => Date, pg: PostgresOptions = {}): Promise<HubStore> {
  return isPostgresUrl(location)
    ? openPostgresStore(location, now, pg)
    : Promise.resolve(openSqliteStore(location, now));
}
