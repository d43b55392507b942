/**
 * Simulated sites for the sync and failover benchmarks: each runs the agent's SyncClient over a real
 * transport and commits to a SQLite store before it acknowledges (ten sites to a file at fleet scale), with
 * nothing to reconcile.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { pino } from "pino";
import type { AgentTransport, LinkTuning, SiteSyncCredentials } from "@nephoran/shared";
import { createAgentTransport, systemClock } from "@nephoran/shared";
import type { SyncStore } from "@nephoran/agent";
import { AgentStore, SyncClient } from "@nephoran/agent";

const silent = pino({ level: "silent" });
/** Links as deployed: a dead link noticed in 30 s, redialled every second. */
export const BENCH_LINK: LinkTuning = { deadAfterMs: 30_000, reconnectDelayMs: 1000 };

/** Ten sites to a file: the same commit per site, fewer descriptors. */
export class SharedFileStore implements SyncStore {
  constructor(
    readonly db: Database.Database,
    readonly site: string,
  ) {}
  static openShard(file: string): Database.Database {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(`CREATE TABLE IF NOT EXISTS desired (site TEXT, id TEXT, revision INTEGER, plan TEXT, PRIMARY KEY (site, id));
             CREATE TABLE IF NOT EXISTS acked (site TEXT PRIMARY KEY, version INTEGER)`);
    return db;
  }
  ackedVersion(): number {
    return (
      (
        this.db.prepare("SELECT version FROM acked WHERE site = ?").get(this.site) as
          { version: number } | undefined
      )?.version ?? 0
    );
  }
  applyDesired(b: Parameters<AgentStore["applyDesired"]>[0]): boolean {
    return this.db.transaction(() => {
      const up = this.db.prepare(
        "INSERT INTO desired VALUES (?, ?, ?, ?) ON CONFLICT (site, id) DO UPDATE SET revision = excluded.revision, plan = excluded.plan WHERE excluded.revision > desired.revision",
      );
      let changed = false;
      for (const i of b.put)
        changed = up.run(this.site, i.id, i.revision, JSON.stringify(i.plan)).changes > 0 || changed;
      const del = this.db.prepare("DELETE FROM desired WHERE site = ? AND id = ?");
      for (const id of b.deleted) changed = del.run(this.site, id).changes > 0 || changed;
      if (b.full) {
        const keep = new Set(b.put.map((i) => i.id));
        for (const r of this.hubIntents()) if (!keep.has(r.id)) del.run(this.site, r.id);
      }
      this.db
        .prepare(
          "INSERT INTO acked VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET version = max(version, excluded.version)",
        )
        .run(this.site, b.version);
      return changed;
    })();
  }
  hubIntents(): { id: string; revision: number }[] {
    return this.db.prepare("SELECT id, revision FROM desired WHERE site = ?").all(this.site) as {
      id: string;
      revision: number;
    }[];
  }
  peekOutbox(): ReturnType<AgentStore["peekOutbox"]> {
    return [];
  }
  ackOutbox(): number {
    return 0;
  }
  outboxDepth(): number {
    return 0;
  }
}

/** A transport that lets the benchmark see every message either way. */
export function tap(
  inner: AgentTransport,
  seen: { up?: (d: Uint8Array) => void; down?: (d: Uint8Array) => void; ready?: () => void },
): AgentTransport {
  return {
    describe: inner.describe,
    send: (d, durable) => (seen.up?.(d), inner.send(d, durable)),
    close: () => inner.close(),
    start: (h) =>
      inner.start({
        ...h,
        onReady: () => (seen.ready?.(), h.onReady()),
        onDown: (d) => (seen.down?.(d), h.onDown(d)),
      }),
  };
}

/** A simulated site: the agent's SyncClient on a store, nothing to reconcile. */
export function simulatedSite(
  store: SyncStore,
  transport: AgentTransport,
  credentialId: string,
  heartbeatMs = 30_000,
): SyncClient {
  return new SyncClient({
    store,
    transport,
    clock: systemClock,
    logger: silent,
    agentVersion: "bench",
    credentialId,
    onChanged: () => undefined,
    options: { heartbeatMs },
  });
}

export interface Site {
  readonly name: string;
  readonly creds: SiteSyncCredentials;
  client?: SyncClient;
  store?: SyncStore;
}

export async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function startSites(
  sites: Site[],
  dir: string,
  shared: boolean,
  opts: { link?: LinkTuning; heartbeatMs?: number } = {},
): Promise<void> {
  const shards = new Map<number, Database.Database>();
  let ready = 0;
  await inBatches(sites, 100, async (s) => {
    const i = Number(s.name.split("-").at(-1));
    let store: SyncStore;
    if (shared) {
      const k = Math.floor(i / 10);
      let db = shards.get(k);
      if (!db) shards.set(k, (db = SharedFileStore.openShard(join(dir, `shard-${k}.db`))));
      store = new SharedFileStore(db, s.name);
    } else {
      store = AgentStore.open(join(dir, `${s.name}.db`), { site: s.name, clock: systemClock });
    }
    const transport: AgentTransport = await createAgentTransport(s.creds, opts.link ?? BENCH_LINK);
    let readySeen = false;
    const wrapped = tap(transport, {
      ready: () => {
        if (!readySeen) {
          readySeen = true;
          ready++;
        }
      },
    });
    s.store = store;
    s.client = simulatedSite(store, wrapped, s.creds.credentialId, opts.heartbeatMs);
    s.client.start();
    // A batch at a time: 10,000 handshakes at once would time out at the broker.
    await waitFor(() => readySeen, 120_000, `site ${s.name} connected`);
  });
  await waitFor(() => ready >= sites.length, 300_000, "every site connected");
}
