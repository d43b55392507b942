/** One store from an engine's SQL port: the aggregates over it, and transactions over the same aggregates. */
import type { Broadcast, HubRepos, HubStore, Leadership, PoolStats } from "./contract";
import { Audit } from "./repos/audit";
import { Desired } from "./repos/desired";
import { IntentReports } from "./repos/intent-reports";
import { Intents } from "./repos/intents";
import type { ListenerCache } from "./repos/listeners";
import { Listeners } from "./repos/listeners";
import { Reports } from "./repos/reports";
import { Rollouts } from "./repos/rollouts";
import type { DirectoryCache } from "./repos/sites";
import { Enrollment, Sites } from "./repos/sites";
import type { TokenCache } from "./repos/tokens";
import { Idempotency, Tokens } from "./repos/tokens";
import type { Sql } from "./sql";

/** What an engine gives besides its SQL: whether it answers, and how it closes. */
export interface Engine {
  readonly sql: Sql;
  ping(): Promise<boolean>;
  pool(): PoolStats;
  close(): Promise<void>;
  readonly broadcast?: Broadcast;
  readonly leadership?: Leadership;
}

export function composeStore(engine: Engine, now: () => Date): HubStore {
  // Caches are one per store, shared by its transactions: a change made in one is seen by the other.
  const tokenCache: TokenCache = new Map();
  const directory: DirectoryCache = {};
  const listeners: ListenerCache = {};
  const repos = (sql: Sql): HubRepos => ({
    tokens: new Tokens(sql, now, tokenCache),
    idempotency: new Idempotency(sql, now),
    intents: new Intents(sql, now),
    enrollment: new Enrollment(sql, now, directory),
    sites: new Sites(sql, now, directory),
    desired: new Desired(sql),
    reports: new Reports(sql, now),
    audit: new Audit(sql, now),
    rollouts: new Rollouts(sql),
    intentReports: new IntentReports(sql),
    listeners: new Listeners(sql, now, listeners),
  });
  return {
    engine: engine.sql.dialect.engine,
    ...repos(engine.sql),
    ...(engine.broadcast ? { broadcast: engine.broadcast } : {}),
    ...(engine.leadership ? { leadership: engine.leadership } : {}),
    ping: () => engine.ping(),
    pool: () => engine.pool(),
    close: () => engine.close(),
    transaction: (fn) => engine.sql.atomic((sql) => fn(repos(sql))),
  };
}
