/**
 * The agent's side of sync. It commits what the hub sends to the local store before it acknowledges,
 * asks for a snapshot on every (re)connect and whenever it sees a gap, sends its outbox in order until
 * each report is acknowledged, and says it is alive with a digest of what it holds. Nothing here ever
 * removes a workload because the link is down: only a committed change from the hub does.
 */
import type {
  AgentTransport,
  Clock,
  DesiredIntent,
  DownMessage,
  IntentMessage,
  SyncedMessage,
  UpMessage,
} from "@nephoran/shared";
import {
  Alarm,
  decodeDown,
  desiredDigest,
  encode,
  PROTOCOL_VERSION,
  ProtocolError,
  traceKey,
  tracing,
} from "@nephoran/shared";
import type { Logger } from "pino";
import type { AgentStore } from "../store";

/** Phases where a revision's rollout ended at the site (for now): its trace ends with the report of one. */
const SETTLED_PHASES: ReadonlySet<string> = new Set(["Ready", "Applied", "Failed"]);

/** What sync needs of a store: the agent's store is one; a benchmark may put many sites in one file. */
export type SyncStore = Pick<
  AgentStore,
  "site" | "ackedVersion" | "applyDesired" | "hubIntents" | "peekOutbox" | "ackOutbox" | "outboxDepth"
>;

/** An up message as the client builds it; #send adds the credential id. */
type UpMessageBody = UpMessage extends infer M ? (M extends UpMessage ? Omit<M, "cred"> : never) : never;

export interface SyncClientOptions {
  readonly heartbeatMs: number;
  /** A report not acknowledged within this long is sent again. */
  readonly resendMs: number;
  /** A hello not answered within this long is sent again. */
  readonly helloTimeoutMs: number;
  readonly outboxWindow: number;
}

export const DEFAULT_SYNC_OPTIONS: SyncClientOptions = {
  heartbeatMs: 30_000,
  resendMs: 10_000,
  helloTimeoutMs: 10_000,
  outboxWindow: 200,
};

/**
 * The link to the hub, as one typed state: `connecting` until the transport first comes up, `resyncing`
 * while a snapshot is asked for and not yet committed, `online` when in step, `offline` while the link is
 * down (the site runs on its store), `stopped` after stop.
 */
export const LINK_STATES = ["connecting", "online", "offline", "resyncing", "stopped"] as const;
export type LinkState = (typeof LINK_STATES)[number];

export interface SyncClientStatus {
  readonly link: LinkState;
  /** When the link last changed state. */
  readonly linkSince: string;
  readonly connected: boolean;
  readonly ackedVersion: number;
  readonly outbox: number;
  readonly lastSyncAt: string | null;
  /** The newest desired version the hub has announced (0: none heard yet). */
  readonly hubVersion: number;
  /** When the hub last acknowledged reports. */
  readonly lastReportAckAt: string | null;
  readonly applied: number;
  readonly refused: number;
  /** Messages received from the hub since start. */
  readonly received: number;
  /** The same, by message type (intent, synced, reportAck, resync, pointer). */
  readonly receivedByType: Readonly<Record<string, number>>;
}

export class SyncClient {
  readonly #site: string;
  #connected = false;
  #helloAt = 0;
  #snapshot = new Map<string, DesiredIntent | null>();
  readonly #inflight = new Map<string, number>();
  #heartbeatSeq = 0;
  #everUp = false;
  #stopped = false;
  #linkSince: string;
  readonly #abort = new AbortController();
  #ticking: Promise<void> | undefined;
  #lastHeartbeat = 0;
  #lastSyncAt: string | null = null;
  #hubVersion = 0;
  #lastReportAckAt: string | null = null;
  #applied = 0;
  #refused = 0;
  #received = 0;
  readonly #receivedByType: Record<string, number> = {};
  readonly #opts: SyncClientOptions;
  readonly #alarm: Alarm;

  constructor(
    private readonly deps: {
      store: SyncStore;
      transport: AgentTransport;
      clock: Clock;
      logger: Logger;
      agentVersion: string;
      /** The id of the credential this site holds (from enrollment); every message names it. */
      credentialId: string;
      /** Called after a committed change, so the reconciler runs (and pokes once it has reported). */
      onChanged: () => void;
      options?: Partial<SyncClientOptions>;
    },
  ) {
    this.#site = deps.store.site;
    this.#opts = { ...DEFAULT_SYNC_OPTIONS, ...deps.options };
    this.#linkSince = deps.clock.now().toISOString();
    this.#alarm = new Alarm(
      deps.clock,
      () => this.#due(),
      () => this.#tick(),
      (e) => this.deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, "sync: tick failed"),
    );
  }

  link(): LinkState {
    if (this.#stopped) return "stopped";
    if (!this.#connected) return this.#everUp ? "offline" : "connecting";
    return this.#helloAt ? "resyncing" : "online";
  }

  status(): SyncClientStatus {
    return {
      link: this.link(),
      linkSince: this.#linkSince,
      connected: this.#connected,
      ackedVersion: this.deps.store.ackedVersion(),
      outbox: this.deps.store.outboxDepth(),
      lastSyncAt: this.#lastSyncAt,
      hubVersion: this.#hubVersion,
      lastReportAckAt: this.#lastReportAckAt,
      applied: this.#applied,
      refused: this.#refused,
      received: this.#received,
      receivedByType: { ...this.#receivedByType },
    };
  }

  start(): void {
    this.deps.transport.start({
      onReady: () => {
        this.#connected = true;
        this.#everUp = true;
        this.#linkSince = this.deps.clock.now().toISOString();
        this.#inflight.clear();
        this.deps.logger.info({ transport: this.deps.transport.describe }, "sync: link up");
        this.#hello();
        this.#pump();
      },
      onDown: (data) => this.#onDown(data),
      onLost: (reason) => {
        if (this.#connected) this.#linkSince = this.deps.clock.now().toISOString();
        this.#connected = false;
        this.deps.logger.warn({ reason }, "sync: link lost; the site keeps running on its store");
      },
    });
    // One supervised loop on the injected clock that sleeps until something is due: the next heartbeat, a
    // hello or a report to send again (an idle site wakes once a heartbeat). New reports go on a poke.
    this.#ticking = this.#alarm.run(this.#abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#ticking;
    // A goodbye, so the hub knows at once (MQTT's last will covers the links that die instead).
    if (this.#connected)
      this.#send({ v: PROTOCOL_VERSION, site: this.#site, type: "presence", online: false });
    await this.deps.transport.close();
    this.#connected = false;
    this.#stopped = true;
  }

  /** More reports are waiting: send them now rather than on the next tick. */
  poke(): void {
    if (this.#connected) this.#pump();
  }

  #tick(): void {
    if (!this.#connected) return;
    const now = this.deps.clock.now().getTime();
    if (this.#helloAt && now - this.#helloAt >= this.#opts.helloTimeoutMs) this.#hello();
    if (!this.#helloAt && now - this.#lastHeartbeat >= this.#opts.heartbeatMs) this.#heartbeat(now);
    // New reports arrive with a poke; the tick only resends what went unacknowledged (an idle site does
    // nothing), and reads the outbox only once a report's resend is due.
    if (this.#resendDue(now)) this.#pump();
  }

  /** When the loop has something to do next: nothing while the link is down. */
  #due(): number {
    if (!this.#connected) return Infinity;
    // While a hello waits for its snapshot, the hello says the site is there: no heartbeat is due.
    let at = this.#helloAt
      ? this.#helloAt + this.#opts.helloTimeoutMs
      : this.#lastHeartbeat + this.#opts.heartbeatMs;
    for (const sentAt of this.#inflight.values()) at = Math.min(at, sentAt + this.#opts.resendMs);
    return at;
  }

  #resendDue(now: number): boolean {
    for (const sentAt of this.#inflight.values()) if (now - sentAt >= this.#opts.resendMs) return true;
    return false;
  }

  #send(msg: UpMessageBody): boolean {
    const full = { ...msg, cred: this.deps.credentialId } as UpMessage;
    return this.deps.transport.send(encode(full), msg.type === "report");
  }

  #hello(ackedVersion = this.deps.store.ackedVersion()): void {
    this.#snapshot = new Map();
    this.#helloAt = this.deps.clock.now().getTime();
    this.#alarm.wake();
    this.#send({
      v: PROTOCOL_VERSION,
      site: this.#site,
      type: "hello",
      ackedVersion,
      agentVersion: this.deps.agentVersion,
    });
  }

  #heartbeat(now: number): void {
    this.#lastHeartbeat = now;
    this.#send({
      v: PROTOCOL_VERSION,
      site: this.#site,
      type: "heartbeat",
      seq: ++this.#heartbeatSeq,
      ackedVersion: this.deps.store.ackedVersion(),
      digest: desiredDigest(this.deps.store.hubIntents()),
      outbox: this.deps.store.outboxDepth(),
    });
  }

  /** Sends the oldest waiting reports, in order, each until the hub acknowledges it. */
  #pump(): void {
    const now = this.deps.clock.now().getTime();
    for (const m of this.deps.store.peekOutbox(this.#opts.outboxWindow)) {
      const sentAt = this.#inflight.get(m.id);
      if (sentAt !== undefined && now - sentAt < this.#opts.resendMs) continue;
      // The first reports of a traced revision carry its trace, until one says where the revision ended.
      const key = traceKey(m.report.intentId, m.report.revision, "report");
      const reconciled = tracing().of(key);
      const traceparent =
        reconciled &&
        tracing().mark(
          "report.send",
          { "nephoran.intent": m.report.intentId, "nephoran.phase": m.report.phase },
          reconciled,
          now,
        );
      const report: Extract<UpMessageBody, { type: "report" }> = {
        v: PROTOCOL_VERSION,
        site: this.#site,
        type: "report",
        id: m.id,
        report: m.report,
        ...(traceparent ? { traceparent } : {}),
      };
      if (!this.#send(report)) return;
      if (reconciled && SETTLED_PHASES.has(m.report.phase)) tracing().remember(key, undefined);
      this.#inflight.set(m.id, now);
    }
    this.#alarm.wake();
  }

  #onDown(data: Uint8Array): void {
    this.#received++;
    let msg: DownMessage;
    try {
      msg = decodeDown(data, this.#site);
    } catch (e) {
      this.#refused++;
      this.deps.logger.warn(
        { err: e instanceof ProtocolError ? e.message : String(e) },
        "sync: message refused",
      );
      return;
    }
    this.#receivedByType[msg.type] = (this.#receivedByType[msg.type] ?? 0) + 1;
    try {
      if (msg.type === "intent" && msg.intent && msg.traceparent) {
        // The hub traced this change: receiving it joins that trace, and the reconcile it causes joins this.
        const key = traceKey(msg.intent.id, msg.intent.revision);
        const attributes = {
          "nephoran.site": this.#site,
          "nephoran.intent": msg.intent.id,
          "nephoran.version": msg.version,
        };
        tracing().span(
          "sync.receive",
          attributes,
          () => {
            this.#handle(msg);
            tracing().remember(key, tracing().current());
          },
          msg.traceparent,
        );
      } else this.#handle(msg);
    } catch (e) {
      // The store refused (e.g. a plan this agent cannot hold): nothing was committed, nothing is acknowledged.
      this.#refused++;
      this.deps.logger.error(
        { err: e instanceof Error ? e.message : String(e), type: msg.type },
        "sync: could not apply",
      );
    }
  }

  #handle(msg: DownMessage): void {
    const acked = this.deps.store.ackedVersion();
    if ("version" in msg) this.#hubVersion = Math.max(this.#hubVersion, msg.version);
    switch (msg.type) {
      case "intent":
        if (msg.base === undefined) {
          this.#snapshot.set(msg.intent?.id ?? (msg.deleted as string), msg.intent ?? null);
        } else if (msg.version <= acked) {
          // Stale: already committed (a duplicate, or covered by a snapshot).
        } else if (msg.base === acked && !this.#helloAt) {
          this.#commit(msg.version, [entry(msg)], false);
        } else if (!this.#helloAt) {
          this.deps.logger.info(
            { acked, base: msg.base, version: msg.version },
            "sync: gap; asking for a snapshot",
          );
          this.#hello();
        }
        return;
      case "synced":
        this.#synced(msg, acked);
        return;
      case "reportAck":
        for (const id of msg.ids) this.#inflight.delete(id);
        this.#lastReportAckAt = this.deps.clock.now().toISOString();
        this.deps.store.ackOutbox(msg.ids);
        this.#pump();
        return;
      case "resync":
        this.deps.logger.info("sync: the hub asked for a full resync");
        this.#hello(0);
        return;
      case "pointer":
        if (msg.version > acked && !this.#helloAt) this.#hello();
        return;
    }
  }

  #synced(msg: SyncedMessage, acked: number): void {
    const entries = [...this.#snapshot.entries()];
    this.#snapshot = new Map();
    this.#helloAt = 0;
    this.#alarm.wake();
    if (!msg.full && (msg.since > acked || msg.version < acked)) {
      // It does not start where this store stands (an answer to an older hello): ask again.
      if (msg.version < acked || msg.since > acked) this.#hello();
      return;
    }
    if (entries.length !== msg.count) {
      this.deps.logger.warn(
        { got: entries.length, count: msg.count },
        "sync: snapshot incomplete; asking again",
      );
      this.#hello();
      return;
    }
    this.#commit(msg.version, entries, msg.full);
  }

  #commit(version: number, entries: readonly [string, DesiredIntent | null][], full: boolean): void {
    const put = entries.flatMap(([, i]) => (i ? [{ ...i, origin: "hub" as const }] : []));
    const deleted = entries.flatMap(([id, i]) => (i ? [] : [id]));
    const changed = this.deps.store.applyDesired({ version, put, deleted, full });
    this.#applied++;
    this.#lastSyncAt = this.deps.clock.now().toISOString();
    // Acknowledged only now that it is committed.
    this.#send({ v: PROTOCOL_VERSION, site: this.#site, type: "ack", version });
    // The reports it leads to are the reconciler's, sent when it pokes.
    if (changed) this.deps.onChanged();
  }
}

function entry(msg: IntentMessage): [string, DesiredIntent | null] {
  return [msg.intent?.id ?? (msg.deleted as string), msg.intent ?? null];
}
