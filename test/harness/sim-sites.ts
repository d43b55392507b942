/**
 * Simulated sites for the sync and failover benchmarks: each runs the agent's SyncClient over a real
 * transport and commits to a SQLite store before it acknowledges (ten sites to a file at fleet scale), with
 * nothing to reconcile; it may report each revision it is given, as an `Answer` says.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { pino } from "pino";
import type { AgentTransport, LinkTuning, SiteIntentReport, SiteSyncCredentials } from "@nephoran/shared";
import { createAgentTransport, credentialIdOf, systemClock, transactionRunner } from "@nephoran/shared";
import type { OutboxMessage, SyncStore } from "@nephoran/agent";
import { AgentStore, SyncClient } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { hashToken, mosquittoHash, newToken } from "@nephoran/hub";
import { createUser } from "@nats-io/nkeys";

const silent = pino({ level: "silent" });
const dec = new TextDecoder();
/** Links as deployed at fleet scale: a dead link noticed in 30 s, redialled after 1 s at first and 5 s at most. */
export const BENCH_LINK: LinkTuning = {
  deadAfterMs: 30_000,
  reconnectDelayMs: 1000,
  maxReconnectDelayMs: 5000,
};

/**
 * How a simulated site answers an intent revision it was given: the phase it reports (the rollout benchmark's
 * sites report, so stages pass or fail), or nothing.
 */
export type Answer = (
  site: string,
  intentId: string,
  revision: number,
) => SiteIntentReport["phase"] | undefined;

/** A file ten sites share, and its statements, prepared once for them all (as the agent's store does). */
interface Shard {
  readonly db: Database.Database;
  readonly upsert: Database.Statement;
  readonly remove: Database.Statement;
  readonly ack: Database.Statement;
  readonly acked: Database.Statement;
  readonly held: Database.Statement;
  /** One transaction, as the agent's store runs one (prepared BEGIN and COMMIT). */
  readonly atomic: <T>(fn: () => T) => T;
}

/** Ten sites to a file: the same commit per site, fewer descriptors. */
export class SharedFileStore implements SyncStore {
  readonly #outbox: OutboxMessage[] = [];
  #seq = 0;
  /** The committed version, once read (as the agent's sync cursor keeps it). */
  #acked: number | undefined;
  constructor(
    private readonly q: Shard,
    readonly site: string,
    private readonly answer?: Answer,
  ) {}
  static openShard(file: string): Shard {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(`CREATE TABLE IF NOT EXISTS desired (site TEXT, id TEXT, revision INTEGER, plan TEXT, PRIMARY KEY (site, id));
             CREATE TABLE IF NOT EXISTS acked (site TEXT PRIMARY KEY, version INTEGER)`);
    return {
      db,
      upsert: db.prepare(
        "INSERT INTO desired VALUES (?, ?, ?, ?) ON CONFLICT (site, id) DO UPDATE SET revision = excluded.revision, plan = excluded.plan WHERE excluded.revision > desired.revision",
      ),
      remove: db.prepare("DELETE FROM desired WHERE site = ? AND id = ?"),
      ack: db.prepare(
        "INSERT INTO acked VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET version = max(version, excluded.version)",
      ),
      acked: db.prepare("SELECT version FROM acked WHERE site = ?"),
      held: db.prepare("SELECT id, revision FROM desired WHERE site = ?"),
      atomic: transactionRunner(db),
    };
  }
  ackedVersion(): number {
    return (this.#acked ??= (this.q.acked.get(this.site) as { version: number } | undefined)?.version ?? 0);
  }
  applyDesired(b: Parameters<AgentStore["applyDesired"]>[0]): boolean {
    const q = this.q;
    const changed = q.atomic(() => {
      let changed = false;
      for (const i of b.put)
        changed = q.upsert.run(this.site, i.id, i.revision, JSON.stringify(i.plan)).changes > 0 || changed;
      for (const id of b.deleted) changed = q.remove.run(this.site, id).changes > 0 || changed;
      if (b.full) {
        const keep = new Set(b.put.map((i) => i.id));
        for (const r of this.hubIntents()) if (!keep.has(r.id)) q.remove.run(this.site, r.id);
      }
      q.ack.run(this.site, b.version);
      for (const i of b.put) this.#report(i.id, i.revision);
      return changed;
    });
    this.#acked = Math.max(this.ackedVersion(), b.version);
    return changed;
  }
  hubIntents(): { id: string; revision: number }[] {
    return this.q.held.all(this.site) as {
      id: string;
      revision: number;
    }[];
  }
  #report(intentId: string, revision: number): void {
    const phase = this.answer?.(this.site, intentId, revision);
    if (!phase) return;
    const at = new Date().toISOString();
    const seq = ++this.#seq;
    this.#outbox.push({
      seq,
      id: `${this.site}:${seq}`,
      kind: "report",
      report: {
        siteId: this.site,
        intentId,
        revision,
        phase,
        conditions: [{ type: "Ready", status: phase === "Ready" ? "True" : "False", lastTransitionTime: at }],
        nfStatus: [],
        observedAt: at,
        reportSeq: Date.now() * 1000 + (seq % 1000),
      },
    });
  }
  peekOutbox(limit = 100): OutboxMessage[] {
    return this.#outbox.slice(0, limit);
  }
  ackOutbox(ids: readonly string[]): number {
    const drop = new Set(ids);
    const before = this.#outbox.length;
    this.#outbox.splice(0, this.#outbox.length, ...this.#outbox.filter((m) => !drop.has(m.id)));
    return before - this.#outbox.length;
  }
  outboxDepth(): number {
    return this.#outbox.length;
  }
}

/**
 * A site's store that can stop committing what it is sent and hold it in memory instead, from where the store
 * stands: the sync benchmark's measure of the hub, the protocol and the transport alone, without the simulated
 * fleet's SQLite commits (one process pays them one after another, where a fleet pays each on its own site).
 * The outbox stays the store's.
 */
export class DetachableStore implements SyncStore {
  #memory: { acked: number; held: Map<string, number> } | undefined;
  constructor(private readonly inner: SyncStore) {}
  get site(): string {
    return this.inner.site;
  }
  /** From now on, changes are held in memory only. */
  holdInMemory(): void {
    const held = new Map(this.inner.hubIntents().map((r) => [r.id, r.revision] as const));
    this.#memory = { acked: this.inner.ackedVersion(), held };
  }
  ackedVersion(): number {
    return this.#memory ? this.#memory.acked : this.inner.ackedVersion();
  }
  applyDesired(b: Parameters<AgentStore["applyDesired"]>[0]): boolean {
    const m = this.#memory;
    if (!m) return this.inner.applyDesired(b);
    let changed = false;
    if (b.full) {
      const kept = new Set(b.put.map((i) => i.id));
      for (const id of m.held.keys()) if (!kept.has(id)) changed = m.held.delete(id) || changed;
    }
    for (const i of b.put) {
      if ((m.held.get(i.id) ?? 0) >= i.revision) continue;
      m.held.set(i.id, i.revision);
      changed = true;
    }
    for (const id of b.deleted) changed = m.held.delete(id) || changed;
    m.acked = b.full ? b.version : Math.max(m.acked, b.version);
    return changed;
  }
  hubIntents(): { id: string; revision: number }[] {
    if (!this.#memory) return this.inner.hubIntents();
    return [...this.#memory.held].map(([id, revision]) => ({ id, revision }));
  }
  peekOutbox(limit?: number): OutboxMessage[] {
    return this.inner.peekOutbox(limit);
  }
  ackOutbox(ids: readonly string[]): number {
    return this.inner.ackOutbox(ids);
  }
  outboxDepth(): number {
    return this.inner.outboxDepth();
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
  const client: SyncClient = new SyncClient({
    store,
    transport,
    clock: systemClock,
    logger: silent,
    agentVersion: "bench",
    credentialId,
    // Nothing to reconcile: what the store queued for a change goes at once, as the agent's reconcile pokes.
    onChanged: () => client.poke(),
    options: { heartbeatMs },
  });
  return client;
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

/** Polls `cond` every `everyMs` until it holds, or fails after `ms`. */
export async function waitFor(cond: () => boolean, ms: number, what: string, everyMs = 5): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * A new folder for simulated sites' stores: on a RAM file system where there is one (/dev/shm), else in the
 * temporary folder. A site's store stays in its own kernel's page cache between changes. A virtual machine
 * that hands idle memory back to its host does not keep it there: this one pages out file pages nobody touched
 * for about a minute (its kernel runs DAMON pageout), and a write into a page gone from the cache reads it back
 * from disk first. Measured here, one commit in each of 1,000 store files: 45–88 µs once the files sat idle for
 * 35 s, 15–20 µs after 5 s on the same disk, 11–16 µs on /dev/shm after 35 s.
 */
export function siteStoreDir(prefix: string): string {
  const dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), prefix));
  storeDirs.add(dir);
  return dir;
}

/** The folders siteStoreDir made, removed however the run ends (its caller removes each when done with it). */
const storeDirs = new Set<string>();
process.once("exit", () => {
  for (const dir of storeDirs) rmSync(dir, { recursive: true, force: true });
});

export async function startSites(
  sites: Site[],
  dir: string,
  shared: boolean,
  /**
   * `answer` makes shared-store sites report each revision they are given; `detachable` gives each site a
   * DetachableStore over its own.
   */
  opts: { link?: LinkTuning; heartbeatMs?: number; answer?: Answer; detachable?: boolean } = {},
): Promise<void> {
  const shards = new Map<number, Shard>();
  let ready = 0;
  await inBatches(sites, 100, async (s) => {
    const i = Number(s.name.split("-").at(-1));
    let store: SyncStore;
    if (shared) {
      const k = Math.floor(i / 10);
      let shard = shards.get(k);
      if (!shard) shards.set(k, (shard = SharedFileStore.openShard(join(dir, `shard-${k}.db`))));
      store = new SharedFileStore(shard, s.name, opts.answer);
    } else {
      store = AgentStore.open(join(dir, `${s.name}.db`), { site: s.name, clock: systemClock });
    }
    if (opts.detachable) store = new DetachableStore(store);
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

/** Sites written straight into the hub's store (enrolling 10,000 through the API is not what is measured). */
export async function enrollSites(
  hub: Hub,
  kind: "nats" | "mqtt",
  brokerUrl: string,
  n: number,
  tag: string,
): Promise<Site[]> {
  const sites: Site[] = [];
  await hub.deps.store.transaction(async (store) => {
    for (let i = 0; i < n; i++) {
      const name = `s${tag}-${i}`;
      const token = newToken("enrollment");
      await store.enrollment.issue({
        id: `enr-${name}`,
        hash: hashToken(token),
        site: name,
        labels: { fleet: tag },
        expiresAt: "2999-01-01T00:00:00Z",
        createdBy: "bench",
      });
      const credential = newToken("site");
      await store.enrollment.enroll(
        hashToken(token),
        new Date().toISOString(),
        hashToken(credential),
        "bench",
      );
      if (kind === "nats") {
        const kp = createUser();
        await store.sites.setBrokerSecrets(name, { natsNkey: kp.getPublicKey(), mqttHash: "" });
        sites.push({
          name,
          creds: {
            transport: "nats",
            url: brokerUrl,
            site: name,
            credentialId: credentialIdOf(credential),
            nkeySeed: dec.decode(kp.getSeed()),
          },
        });
      } else {
        await store.sites.setBrokerSecrets(name, { natsNkey: "", mqttHash: mosquittoHash(credential) });
        sites.push({
          name,
          creds: {
            transport: "mqtt",
            url: brokerUrl,
            site: name,
            credentialId: credentialIdOf(credential),
            username: name,
            password: credential,
            protocolVersion: 5,
          },
        });
      }
    }
  });
  await hub.deps.brokerAccess.sync();
  return sites;
}
