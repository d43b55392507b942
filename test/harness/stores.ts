/**
 * The hub store on each engine, for suites that run unchanged against both: a fresh SQLite file or a fresh
 * PostgreSQL database per `fresh()`, and a second store on the same data (another hub replica) by `peer()`.
 * PostgreSQL missing: the PostgreSQL runs are skipped loudly, and under CI they fail.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HubStore } from "@nephoran/hub";
import { openPostgresStore, openSqliteStore } from "@nephoran/hub";
import { Postgres, postgresMissing } from "./postgres";
import { skippedFor } from "./skip";

export interface StoreEngine {
  readonly name: "sqlite" | "postgres";
  /** Why this engine cannot run here (the suite skips it, loudly), or undefined. */
  readonly missing: string | undefined;
  /** A store on new, empty data. */
  fresh(now?: () => Date): Promise<HubStore>;
  /** Another store on the data of the last fresh one: what a second hub replica holds (see sqlite()). */
  peer(now?: () => Date): Promise<HubStore>;
  /** The database server itself, where there is one. */
  server(): Postgres | undefined;
  close(): Promise<void>;
}

const clock = () => new Date();

/**
 * SQLite serves one hub: its "other replica" is the same store (the race is then two requests to one hub).
 * A second store on the file in this process would wait for the first's lock while holding the thread.
 */
function sqlite(): StoreEngine {
  let last: HubStore | undefined;
  return {
    name: "sqlite",
    missing: undefined,
    fresh: async (now = clock) =>
      (last = openSqliteStore(join(mkdtempSync(join(tmpdir(), "nephoran-store-")), "hub.db"), now)),
    peer: async () => {
      if (!last) throw new Error("peer() before fresh()");
      return { ...last, close: async () => undefined };
    },
    server: () => undefined,
    close: async () => undefined,
  };
}

function postgres(): StoreEngine {
  const missing = postgresMissing();
  let server: Promise<Postgres> | undefined;
  let running: Postgres | undefined;
  let url = "";
  const started = () => (server ??= Postgres.start().then((p) => (running = p)));
  return {
    name: "postgres",
    missing,
    fresh: async (now = clock) => {
      const pg = await started();
      url = await pg.createDatabase();
      return openPostgresStore(url, now, { password: pg.password });
    },
    peer: async (now = clock) => openPostgresStore(url, now, { password: (await started()).password }),
    server: () => running,
    close: async () => {
      if (server) await (await server).stop();
    },
  };
}

/** Both engines; a missing one is announced here, once, and fails the run under CI. */
export function storeEngines(): StoreEngine[] {
  const engines = [sqlite(), postgres()];
  for (const e of engines) skippedFor(e.missing, `the hub store suites on ${e.name} are`);
  return engines;
}
