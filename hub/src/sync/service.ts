/**
 * The hub's side of sync. Desired state lives in the store; this sends it: a live change to each online
 * site it concerns (a retained pointer to an offline one), a snapshot since the acknowledged version on
 * every hello, a full snapshot when a heartbeat's digest shows the site holds something else. Acks,
 * presence and reports from sites are committed in batches, and reports acknowledged after the commit.
 */
import type { Clock, HeartbeatMessage, HubTransport, SiteIntentReport, UpMessage } from "@nephoran/shared";
import {
  decodeUp,
  desiredDigest,
  encode,
  every,
  PROTOCOL_VERSION,
  ProtocolError,
  traceKey,
  tracing,
} from "@nephoran/shared";
import type { Logger } from "pino";
import { onlineAt, onlineSince } from "../rollup";
import type { HubStore, Leadership, SiteChange, SiteRecord } from "../store";
import { BatchedReads } from "./batched";

/** What a "reports" event carries: the reports just committed. */
export type ReportsCommitted = readonly SiteIntentReport[];

export interface SyncPort {
  /** Intent changes committed to the store: tell the sites they concern. */
  changed(changes: readonly SiteChange[]): void;
  /** An operator asked for a full resync of one site. */
  resync(site: string): void;
  /** The site was deleted: forget its link. */
  revoked(site: string): void;
  /** The hub's link to its broker; undefined when the hub runs without sync. */
  link(): { state: HubLinkState; since: string } | undefined;
}

export const NO_SYNC: SyncPort = {
  link: () => undefined,
  changed: () => undefined,
  resync: () => undefined,
  revoked: () => undefined,
};

export interface SyncStats {
  received: number;
  refused: number;
  sent: number;
  /** Failures in the transport's background work and in committing what sites sent. */
  errors: number;
}

/** The hub's own link to its broker. */
export type HubLinkState = "connecting" | "online" | "offline" | "stopped";

export class SyncService implements SyncPort {
  readonly stats: SyncStats = { received: 0, refused: 0, sent: 0, errors: 0 };
  #link: HubLinkState = "connecting";
  #linkSince: Date;
  readonly #abort = new AbortController();
  #sweeping: Promise<void> | undefined;
  #pointerDue: Promise<void> | undefined;
  /**
   * When each site was last heard from, for sites online by the one definition of presence (onlineAt): a
   * cache of what the store records, so choosing live change or retained pointer costs no query.
   */
  readonly #online = new Map<string, number>();
  /** Sites whose last word here was that they are going (a goodbye, a last will), not yet back. */
  readonly #going = new Set<string>();
  /**
   * When each site was last sent what it misses (a change, a snapshot): a heartbeat behind within a
   * heartbeat of that is the change still on its way (a fan-out to thousands takes seconds), not a loss.
   */
  readonly #lastSent = new Map<string, number>();
  /** The sites that messages come from, read together for the messages of one turn. */
  readonly #sites: BatchedReads<string, SiteRecord>;
  readonly #fullWanted = new Set<string>();
  #pending = emptyBatch();
  #flushing: Promise<void> | undefined;
  readonly #intentJson = new Map<string, Promise<string>>();
  readonly #pointers = new Map<string, number>();
  /** Per site, the work in flight: a site's messages are handled, and sent, in the order they came. */
  readonly #chains = new Map<string, Promise<void>>();
  #behindSweep: Promise<void> | undefined;
  /** Sites found behind: at which desired version, since when (ms). */
  #behind = new Map<string, { version: number; since: number }>();

  constructor(
    private readonly deps: {
      store: HubStore;
      transport: HubTransport;
      clock: Clock;
      logger: Logger;
      heartbeatMs: number;
      /** A site not heard from for this long is offline (the API's presence timeout). */
      presenceTimeoutMs: number;
      /**
       * Where several replicas share the store: the one that leads also looks, every `sweepMs`, for online
       * sites behind the same desired version for `graceMs`, and sends them what they miss (again every
       * `graceMs` while they stay behind) — so a change whose messages died with another replica arrives
       * without waiting for the site's heartbeat, and a fan-out that is merely under way is left alone.
       */
      leadership?: Leadership;
      sweepMs?: number;
      graceMs?: number;
      /** Rung ("reports") after sites' reports are committed. */
      reported?: EventTarget;
    },
  ) {
    this.#linkSince = deps.clock.now();
    this.#sites = new BatchedReads((ids) => deps.store.sites.getMany(ids));
  }

  async start(): Promise<void> {
    await this.deps.transport.start({
      onUp: (site, data) => this.#onUp(site, data),
      onError: (e) => {
        this.stats.errors++;
        this.deps.logger.error({ err: e.message }, "sync: transport error");
      },
      onLink: (up) => this.#setLink(up ? "online" : "offline"),
    });
    this.#sweeping = every(
      this.deps.clock,
      this.deps.heartbeatMs,
      this.#abort.signal,
      () => this.#sweepPresence(),
      (e) => this.deps.logger.error({ err: String(e) }, "sync: presence sweep failed"),
    );
    const { leadership } = this.deps;
    if (leadership)
      this.#behindSweep = every(
        this.deps.clock,
        this.deps.sweepMs ?? 2000,
        this.#abort.signal,
        () => this.#sweepBehind(leadership),
        (e) => this.deps.logger.error({ err: String(e) }, "sync: the sweep for sites behind failed"),
      );
  }

  /** Sends a snapshot since its acknowledged version to each online site behind one version for the grace. */
  async #sweepBehind(leadership: Leadership): Promise<void> {
    if (!(await leadership.lead())) {
      this.#behind.clear();
      return;
    }
    const at = this.deps.clock.now();
    const now = at.getTime();
    const grace = this.deps.graceMs ?? 5000;
    const behind = new Map<string, { version: number; since: number }>();
    for (const s of await this.deps.store.sites.behind(onlineSince(at, this.deps.presenceTimeoutMs), 1000)) {
      const seen = this.#behind.get(s.id);
      const since = seen?.version === s.desiredVersion ? seen.since : now;
      const due = now - since >= grace;
      if (due) void this.#inOrder(s.id, () => this.#snapshot(s.id, s.reportedVersion, false));
      behind.set(s.id, { version: s.desiredVersion, since: due ? now : since });
    }
    this.#behind = behind;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#sweeping;
    await this.#behindSweep;
    await this.#pointerDue;
    await Promise.allSettled([...this.#chains.values()]);
    await this.#flush().catch((e: unknown) =>
      this.deps.logger.error({ err: String(e) }, "sync: last flush failed"),
    );
    await this.deps.transport.close();
    this.#setLink("stopped");
  }

  /** The hub's link to its broker, and since when; /readyz reads it. */
  link(): { state: HubLinkState; since: string } {
    return { state: this.#link, since: this.#linkSince.toISOString() };
  }

  #setLink(state: HubLinkState): void {
    if (state === this.#link) return;
    this.#link = state;
    this.#linkSince = this.deps.clock.now();
    if (state === "offline") this.deps.logger.warn("sync: the hub's link to its broker is down");
    else if (state === "online") this.deps.logger.info("sync: the hub's link to its broker is up");
  }

  isOnline(site: string): boolean {
    return this.#online.has(site);
  }

  changed(changes: readonly SiteChange[]): void {
    const bySite = new Map<string, SiteChange[]>();
    for (const c of changes) {
      const list = bySite.get(c.site);
      if (list) list.push(c);
      else bySite.set(c.site, [c]);
    }
    const now = this.deps.clock.now().getTime();
    for (const [site, list] of bySite) {
      const last = list[list.length - 1] as SiteChange;
      if (this.deps.transport.queuesForAbsent && !this.#online.has(site)) {
        this.#pointTo(site, last.version);
      } else if (list.length === 1 && last.base === last.version - 1) {
        this.#lastSent.set(site, now);
        void this.#inOrder(site, async () =>
          this.#sendRaw(
            site,
            await this.#intentMessage(
              site,
              last.version,
              last.base,
              last.intentId,
              last.revision,
              last.deleted,
            ),
          ),
        );
      } else {
        void this.#inOrder(site, () => this.#snapshot(site, (list[0] as SiteChange).version - 1, false));
      }
    }
  }

  /** Runs `fn` after the site's earlier work; a failure is counted and logged, and the next one still runs. */
  #inOrder(site: string, fn: () => Promise<void>): Promise<void> {
    const step = (this.#chains.get(site) ?? Promise.resolve()).then(fn);
    const settled = step.catch((e: unknown) => {
      this.stats.errors++;
      this.deps.logger.error({ site, err: String(e) }, "sync: handling a site failed");
    });
    this.#chains.set(site, settled);
    void settled.then(() => {
      if (this.#chains.get(site) === settled) this.#chains.delete(site);
    });
    return step;
  }

  /** Leaves an away site its desired version: the latest of a burst only, once it has settled. */
  #pointTo(site: string, version: number): void {
    this.#pointers.set(site, version);
    if (this.#pointerDue) return;
    this.#pointerDue = this.deps.clock.sleep(200, this.#abort.signal).then(() => {
      this.#pointerDue = undefined;
      const due = [...this.#pointers];
      this.#pointers.clear();
      for (const [s, v] of due) {
        if (!this.#online.has(s))
          this.#send(s, { v: PROTOCOL_VERSION, site: s, type: "pointer", version: v }, true);
      }
    });
  }

  revoked(site: string): void {
    this.#online.delete(site);
    this.#going.delete(site);
    this.#lastSent.delete(site);
    this.#fullWanted.delete(site);
  }

  resync(site: string): void {
    this.#fullWanted.add(site);
    this.#send(site, { v: PROTOCOL_VERSION, site, type: "resync" });
  }

  #onUp(site: string, data: Uint8Array): Promise<void> | void {
    this.stats.received++;
    let msg: UpMessage;
    try {
      msg = decodeUp(data, site);
    } catch (e) {
      this.stats.refused++;
      this.deps.logger.warn(
        { site, err: e instanceof ProtocolError ? e.message : String(e) },
        "sync: message refused",
      );
      return;
    }
    let committed: Promise<void> | undefined;
    const step = this.#inOrder(site, async () => {
      committed = (await this.#handle(site, msg))?.committed;
    });
    // A report is acknowledged to the broker only once committed; the rest are cheap to repeat.
    if (msg.type === "report") return step.then(() => committed);
  }

  /**
   * Whether the site's last word was that it is going: said here, or committed (by any replica) and not
   * taken back since — unless a message that brings it back is waiting to be committed.
   */
  #saidGoing(site: string, record: SiteRecord): boolean {
    if (this.#going.has(site)) return true;
    const gone = record.goneAt !== null && (record.lastSeen === null || record.goneAt >= record.lastSeen);
    return gone && !this.#pending.seen.has(site);
  }

  /** One message from a site that decoded; the commit of what it brought (boxed: a bare promise would be awaited). */
  async #handle(site: string, msg: UpMessage): Promise<{ committed: Promise<void> } | undefined> {
    const now = this.deps.clock.now();
    const record = await this.#sites.get(site);
    if (!record) {
      this.stats.refused++;
      this.deps.logger.warn({ site, type: msg.type }, "sync: message from a site that is not enrolled");
      return undefined;
    }
    if (msg.cred !== record.credentialId) {
      // A box that still holds the site's earlier credential (re-enrolled since): nothing it says counts.
      this.stats.refused++;
      this.deps.logger.warn({ site, type: msg.type }, "sync: message from a revoked credential refused");
      return undefined;
    }
    const p = this.#pending;
    if (msg.type === "presence" && !msg.online) {
      this.#online.delete(site);
      this.#going.add(site);
      p.gone.set(site, now.toISOString());
    } else if (bringsBack(msg) || !this.#saidGoing(site, record)) {
      // A report or an ack sent before a goodbye can arrive after it (another subject, a redelivery): it is
      // committed, but only a new session (hello), a heartbeat or "online" brings the site back.
      this.#going.delete(site);
      p.gone.delete(site);
      this.#online.set(site, now.getTime());
      p.seen.set(site, {
        site,
        at: now.toISOString(),
        ...(msg.type === "hello" ? { agentVersion: msg.agentVersion } : {}),
      });
    }
    switch (msg.type) {
      case "hello": {
        const full =
          msg.ackedVersion === 0 || this.#fullWanted.delete(site) || msg.ackedVersion > record.desiredVersion;
        await this.#snapshot(site, full ? 0 : msg.ackedVersion, full);
        break;
      }
      case "ack":
        p.acks.set(site, Math.max(p.acks.get(site) ?? 0, msg.version));
        break;
      case "report": {
        if (msg.report.siteId !== site || !msg.id.startsWith(`${site}:`)) {
          this.stats.refused++;
          this.deps.logger.warn({ site, id: msg.id }, "sync: report about another site refused");
          return undefined;
        }
        p.reports.push(msg.report);
        if (msg.traceparent) p.traced.push([msg.traceparent, msg.report]);
        const ids = p.reportIds.get(site);
        if (ids) ids.push(msg.id);
        else p.reportIds.set(site, [msg.id]);
        break;
      }
      case "heartbeat":
        await this.#heartbeat(site, msg, record.desiredVersion, now.getTime());
        break;
      case "presence":
        break;
    }
    return { committed: this.#schedule() };
  }

  async #heartbeat(site: string, msg: HeartbeatMessage, desired: number, now: number): Promise<void> {
    const recent = now - (this.#lastSent.get(site) ?? 0) < this.deps.heartbeatMs;
    if (recent) return;
    if (msg.ackedVersion > desired) await this.#snapshot(site, 0, true);
    else if (msg.ackedVersion < desired) await this.#snapshot(site, msg.ackedVersion, false);
    else if (msg.digest !== desiredDigest(await this.deps.store.desired.set(site))) {
      // Same version, different content: something was missed or lost at the site. Anti-entropy.
      this.deps.logger.warn(
        { site },
        "sync: site holds other intents than it should; sending a full snapshot",
      );
      await this.#snapshot(site, 0, true);
    }
  }

  /** One message per intent changed since `since` (every intent when full), then `synced`. */
  async #snapshot(site: string, since: number, full: boolean): Promise<void> {
    this.#lastSent.set(site, this.deps.clock.now().getTime());
    const { version, changes } = await this.deps.store.desired.since(site, full ? 0 : since);
    const messages: string[] = [];
    for (const c of changes)
      messages.push(await this.#intentMessage(site, version, undefined, c.intentId, c.revision, c.deleted));
    for (const m of messages) this.#sendRaw(site, m);
    this.#send(site, {
      v: PROTOCOL_VERSION,
      site,
      type: "synced",
      version,
      since: full ? 0 : since,
      full,
      count: changes.length,
    });
  }

  /** Built as text around the intent's JSON, which is made once per revision however many sites get it. */
  async #intentMessage(
    site: string,
    version: number,
    base: number | undefined,
    intentId: string,
    revision: number,
    deleted: boolean,
  ): Promise<string> {
    const head = `{"v":${PROTOCOL_VERSION},"site":"${site}","type":"intent","version":${version}${base === undefined ? "" : `,"base":${base}`}`;
    if (deleted) return `${head},"deleted":"${intentId}"}`;
    const traced = tracing().of(traceKey(intentId, revision));
    return `${head}${traced ? `,"traceparent":"${traced}"` : ""},"intent":${await this.#intentBody(intentId, revision)}}`;
  }

  /** Read once per revision however many sites ask at once (a fan-out asks for it per site, together). */
  #intentBody(id: string, revision: number): Promise<string> {
    const key = `${id}@${revision}`;
    const held = this.#intentJson.get(key);
    if (held) return held;
    const body = this.#readIntentBody(id, revision);
    // A read that failed is not kept: the next site to ask reads again.
    body.catch(() => {
      if (this.#intentJson.get(key) === body) this.#intentJson.delete(key);
    });
    if (this.#intentJson.size >= 1024)
      this.#intentJson.delete(this.#intentJson.keys().next().value as string);
    this.#intentJson.set(key, body);
    return body;
  }

  async #readIntentBody(id: string, revision: number): Promise<string> {
    // The revision desired there, which a staged rollout may hold behind the intent's current one.
    const i = await this.deps.store.intents.revision(id, revision);
    if (!i) throw new Error(`intent ${id} revision ${revision} is desired at a site but not in the store`);
    return JSON.stringify({
      id: i.id,
      name: i.name,
      revision: i.revision,
      priority: i.priority,
      plan: i.plan,
      createdAt: i.createdAt,
    });
  }

  #send(site: string, msg: Parameters<typeof encode>[0], retained = false): void {
    const data = encode(msg);
    this.stats.sent++;
    if (retained) this.deps.transport.announce(site, data);
    else this.deps.transport.send(site, data);
  }

  #sendRaw(site: string, json: string): void {
    this.stats.sent++;
    this.deps.transport.send(site, Buffer.from(json));
  }

  /** One commit for what arrived in this turn; a failure is logged once here and given to the reports' waiters. */
  #schedule(): Promise<void> {
    if (!this.#flushing) {
      const flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush());
      flushing.catch((e: unknown) => {
        this.stats.errors++;
        this.deps.logger.error({ err: String(e) }, "sync: could not commit what sites sent");
      });
      this.#flushing = flushing;
    }
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    this.#flushing = undefined;
    const batch = this.#pending;
    this.#pending = emptyBatch();
    if (!batch.seen.size && !batch.gone.size && !batch.acks.size && !batch.reports.length) return;
    const started = this.deps.clock.now().getTime();
    await this.deps.store.reports.record({
      seen: [...batch.seen.values()],
      gone: [...batch.gone].map(([site, at]) => ({ site, at })),
      acks: [...batch.acks].map(([site, version]) => ({ site, version })),
      reports: batch.reports,
    });
    for (const [parent, r] of batch.traced)
      tracing().mark(
        "report.commit",
        { "nephoran.site": r.siteId, "nephoran.intent": r.intentId, "nephoran.phase": r.phase },
        parent,
        started,
      );
    if (batch.reports.length)
      this.deps.reported?.dispatchEvent(
        new CustomEvent<ReportsCommitted>("reports", { detail: batch.reports }),
      );
    for (const [site, ids] of batch.reportIds) {
      for (let i = 0; i < ids.length; i += 1000)
        this.#send(site, { v: PROTOCOL_VERSION, site, type: "reportAck", ids: ids.slice(i, i + 1000) });
    }
  }

  #sweepPresence(): void {
    const now = this.deps.clock.now().getTime();
    for (const [site, at] of this.#online)
      if (!onlineAt(at, null, now, this.deps.presenceTimeoutMs)) this.#online.delete(site);
  }
}

/** Messages only a site that is there sends: a new session, its heartbeat, its link up. */
const bringsBack = (msg: UpMessage): boolean =>
  msg.type === "hello" || msg.type === "heartbeat" || (msg.type === "presence" && msg.online);

function emptyBatch() {
  return {
    seen: new Map<string, { site: string; at: string; agentVersion?: string }>(),
    gone: new Map<string, string>(),
    acks: new Map<string, number>(),
    reports: [] as SiteIntentReport[],
    /** The reports that carry a trace, with it. */
    traced: [] as [string, SiteIntentReport][],
    reportIds: new Map<string, string[]>(),
  };
}
