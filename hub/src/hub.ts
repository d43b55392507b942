/**
 * The hub's composition root: `createHub(config)` opens the store, makes sure an admin can get in, builds
 * sync (starting the embedded broker when that is the transport) and the API, in that order; `start()`
 * connects sync and listens; `stop()` undoes both.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAdaptorServer } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import type { Clock, HubTransport, LinkTuning, Planner } from "@nephoran/shared";
import {
  Catalog,
  createHubTransport,
  knowledgeRetriever,
  LlmPlanner,
  RulesPlanner,
  listen,
  systemClock,
  traceFields,
} from "@nephoran/shared";
import type { Logger } from "pino";
import { pino } from "pino";
import { createApp } from "./api/app";
import { onReports } from "./assurance";
import type { HubDeps } from "./api/env";
import { hashToken, issueApiToken, newId } from "./auth/tokens";
import type { HubConfig } from "./config";
import { EventBus } from "./events";
import type { HubMetrics } from "./metrics";
import { createMetrics } from "./metrics";
import { Notifier } from "./notify";
import { RolloutController } from "./rollouts/controller";
import { PresenceWatch } from "./presence";
import type { Periodic } from "./periodic";
import { storeUpkeep } from "./upkeep";
import type { HubStore } from "./store";
import { HubStoreError, StoreErrorCode, openStore } from "./store";
import { brokerAccess } from "./sync/access";
import { EmbeddedBroker, HUB_USER } from "./sync/broker";
import type { ReportsCommitted } from "./sync/service";
import { NO_SYNC, SyncService } from "./sync/service";

export interface HubOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly store?: HubStore;
  readonly planner?: Planner;
  /** How fast links are declared dead and redialled (tests shorten it). */
  readonly link?: LinkTuning;
}

/** What createHub built, in the order it built it. */
interface HubParts {
  readonly config: HubConfig;
  readonly deps: HubDeps;
  readonly app: ReturnType<typeof createApp>;
  /** The broker URL agents are given ("" without sync). */
  readonly brokerUrl: string;
  readonly sync: SyncService | undefined;
  readonly broker: EmbeddedBroker | undefined;
  /** Leaves the other replicas' event stream (where the store is shared). */
  readonly leaveEvents: (() => Promise<void>) | undefined;
  /** Drives staged rollouts (on the leading replica where the store is shared). */
  readonly rollouts: RolloutController;
  /** Sends TMF921 notifications to registered listeners. */
  readonly notifier: Notifier;
  /** Publishes sites coming and going (on the leading replica). */
  readonly presence: PresenceWatch;
  /** Folds the store's running tallies (on the leading replica). */
  readonly upkeep: Periodic;
}

export class Hub {
  #server: ServerType | undefined;
  #url = "";
  #stopping: Promise<void> | undefined;
  readonly config: HubConfig;
  readonly deps: HubDeps;
  readonly app: ReturnType<typeof createApp>;
  readonly brokerUrl: string;
  readonly sync: SyncService | undefined;

  constructor(private readonly parts: HubParts) {
    ({
      config: this.config,
      deps: this.deps,
      app: this.app,
      brokerUrl: this.brokerUrl,
      sync: this.sync,
    } = parts);
  }

  get url(): string {
    return this.#url;
  }

  /**
   * Connects sync (dialling its broker until it answers), starts the hub's duties and listens; a start that
   * fails (its port taken) or is stopped undoes all of it, the store included, and rejects (a ListenError when
   * it could not listen).
   */
  async start(): Promise<string> {
    try {
      if (this.sync) {
        await this.sync.start();
        this.#startStopped();
        this.deps.logger.info({ broker: this.brokerUrl }, "hub sync running");
      }
      this.parts.rollouts.start();
      this.parts.notifier.start();
      this.parts.presence.start();
      this.parts.upkeep.start();
      const server = createAdaptorServer({ fetch: this.app.fetch });
      // Keep idle connections longer than clients and proxies do (Node's 5 s default makes them reuse closed sockets).
      Object.assign(server, { keepAliveTimeout: 65_000, headersTimeout: 66_000 });
      const addr = await listen(server, this.config.port, this.config.host, "the hub's API");
      if (this.#stopping) server.close();
      this.#startStopped();
      this.#server = server;
      this.#url = `http://${this.config.host}:${addr.port}`;
    } catch (e) {
      await this.stop().catch(() => undefined);
      throw e;
    }
    this.deps.logger.info({ url: this.#url, store: this.deps.store.engine }, "hub listening");
    return this.#url;
  }

  /** A stop came while the hub was starting: the start goes no further. */
  #startStopped(): void {
    if (this.#stopping) throw new Error("the hub was stopped while it started");
  }

  /** Stops what start() started and closes the store; a second call waits for the first. */
  stop(): Promise<void> {
    return (this.#stopping ??= this.#stop());
  }

  async #stop(): Promise<void> {
    // Event streams end first; the server stops taking connections, and what is still open a moment later
    // (a request in flight, a browser's idle keep-alive) is cut, so a hub with consoles open still stops.
    this.deps.events.close();
    const server = this.#server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const cut =
        "closeAllConnections" in server
          ? setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS)
          : undefined;
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      await closed;
      clearTimeout(cut);
    }
    await this.parts.rollouts.stop();
    await this.parts.notifier.stop();
    await this.parts.presence.stop();
    await this.parts.upkeep.stop();
    await this.sync?.stop();
    await this.parts.broker?.stop();
    await this.parts.leaveEvents?.();
    await this.deps.store.close();
  }
}

/** How often the leading replica folds the store's running tallies. */
const UPKEEP_MS = 5_000;

/** How long a stopping hub lets open requests finish before it cuts their connections. */
const STOP_GRACE_MS = 1_000;

export async function createHub(config: HubConfig, opts: HubOptions = {}): Promise<Hub> {
  mkdirSync(config.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: config.logLevel, mixin: traceFields }, pino.destination(2));
  const now = () => clock.now();
  const store = opts.store ?? (await openConfiguredStore(config, now));
  // What is built is undone, last first, if a later step fails: no broker or connection outlives a failed start.
  const undo: (() => Promise<void>)[] = [() => store.close()];
  try {
    await bootstrapAdmin(config, store, logger);
    const catalog = new Catalog();
    const timeoutMs = presenceTimeoutMs(config);
    const { broker, brokerUrl, transport } = await buildSync(config, store, logger, opts.link);
    if (broker) undo.push(() => broker.stop());
    const access = brokerAccess(
      config.sync,
      store,
      () =>
        broker && {
          url: brokerUrl,
          disconnectStale: (site, current) => broker.disconnectStale(site, current),
        },
    );
    if (config.sync.transport === "mqtt" || config.sync.transport === "nats") await access.sync();
    // Reports move rollouts on: the controller looks as soon as they are committed, not at its next turn.
    const reported = new EventTarget();
    const sync =
      transport &&
      new SyncService({
        store,
        transport,
        clock,
        logger: logger.child({ component: "sync" }),
        heartbeatMs: config.heartbeatSeconds * 1000,
        presenceTimeoutMs: timeoutMs,
        ...(store.leadership ? { leadership: store.leadership } : {}),
        reported,
      });
    // Replicas on one database hear each other's changes, so /v1/events on any of them sees them all.
    const events = new EventBus();
    const leaveEvents =
      store.broadcast &&
      (await events.join(store.broadcast, newId("hub"), (e) =>
        logger.warn({ err: String(e) }, "events: a change could not be shared with the other replicas"),
      ));
    if (leaveEvents) undo.push(leaveEvents);
    const metrics = createMetrics(store, now, timeoutMs);
    const deps: HubDeps = {
      store,
      catalog,
      guardrails: config.guardrails,
      planner: opts.planner ?? planner(config, catalog, metrics),
      clock,
      logger,
      events,
      metrics,
      presenceTimeoutMs: timeoutMs,
      publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
      sync: sync ?? NO_SYNC,
      brokerAccess: access,
      metricsAccess: config.metricsAccess,
    };
    // Assurance in what sites report: events, the closed loop's actions audited, fulfilment reports.
    reported.addEventListener("reports", (e) => {
      const reports = (e as CustomEvent<ReportsCommitted>).detail ?? [];
      // Where an intent stands moved at these sites: one event per intent for what was committed together.
      const at = clock.now().toISOString();
      for (const id of new Set(reports.map((r) => r.intentId)))
        events.publish({ type: "intent.progress", id, at });
      onReports(deps, reports).catch((err: unknown) =>
        logger.warn({ err: String(err) }, "assurance: what sites reported could not be taken in"),
      );
    });
    const rollouts = new RolloutController(deps, {
      wake: reported,
      ...(store.leadership ? { leadership: store.leadership } : {}),
    });
    const notifier = new Notifier({ ...deps, ...(store.leadership ? { leadership: store.leadership } : {}) });
    const presence = new PresenceWatch(deps, {
      intervalMs: config.heartbeatSeconds * 1000,
      ...(store.leadership ? { leadership: store.leadership } : {}),
    });
    const upkeep = storeUpkeep(deps, {
      intervalMs: UPKEEP_MS,
      ...(store.leadership ? { leadership: store.leadership } : {}),
    });
    return new Hub({
      config,
      deps,
      app: createApp(deps),
      brokerUrl,
      sync,
      broker,
      leaveEvents,
      rollouts,
      notifier,
      presence,
      upkeep,
    });
  } catch (e) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw e;
  }
}

/** The configured PostgreSQL (password from storePasswordFile, else PGPASSWORD), or SQLite in the data folder. */
function openConfiguredStore(config: HubConfig, now: () => Date): Promise<HubStore> {
  if (!config.store) return openStore(join(config.dataDir, "hub.db"), now);
  const password = config.storePasswordFile
    ? readFileSync(config.storePasswordFile, "utf8").trim()
    : undefined;
  return openStore(config.store, now, {
    poolSize: config.storePoolSize,
    ...(password !== undefined ? { password } : {}),
  });
}

/** The embedded broker (started here, so its URL is known) or an external one's URL, and the hub's transport to it. */
async function buildSync(
  config: HubConfig,
  store: HubStore,
  logger: Logger,
  link: LinkTuning | undefined,
): Promise<{ broker?: EmbeddedBroker; brokerUrl: string; transport?: HubTransport }> {
  const c = config.sync;
  switch (c.transport) {
    case "none":
      return { brokerUrl: "" };
    case "embedded": {
      const broker = new EmbeddedBroker({
        host: c.host,
        port: c.port,
        verifySite: async (site, password) =>
          (await store.sites.byCredential(hashToken(password)))?.id === site,
        logger: logger.child({ component: "broker" }),
      });
      const brokerUrl = await broker.start();
      try {
        const transport = await createHubTransport(
          {
            transport: "mqtt",
            url: brokerUrl,
            username: HUB_USER,
            password: broker.hubPassword,
            protocolVersion: 4,
          },
          link,
        );
        return { broker, brokerUrl, transport };
      } catch (e) {
        await broker.stop();
        throw e;
      }
    }
    case "nats":
      return {
        brokerUrl: c.agentUrl ?? c.url,
        transport: await createHubTransport(
          { transport: "nats", url: c.url, nkeySeed: c.nkeySeed, streamReplicas: c.streamReplicas },
          link,
        ),
      };
    case "mqtt":
      return {
        brokerUrl: c.agentUrl ?? c.url,
        transport: await createHubTransport(
          { transport: "mqtt", url: c.url, username: c.username, password: c.password, protocolVersion: 5 },
          link,
        ),
      };
  }
}

/** The admin token from config is stored (hashed) once; with none configured and none stored, one is made and written to a 0600 file. */
async function bootstrapAdmin(config: HubConfig, store: HubStore, logger: Logger): Promise<void> {
  if (config.adminToken) {
    const hash = hashToken(config.adminToken);
    if (await store.tokens.byHash(hash)) return;
    // Replicas starting together race to store it: one does, the others find it there.
    await store.tokens
      .add({ id: newId("tok"), name: "bootstrap-admin", role: "admin", hash })
      .catch((e: unknown) => {
        if (!(e instanceof HubStoreError && e.code === StoreErrorCode.Conflict)) throw e;
      });
    return;
  }
  if ((await store.tokens.countActive()) > 0) return;
  const { token } = await issueApiToken(store.tokens, { name: "bootstrap-admin", role: "admin" });
  const file = join(config.dataDir, "admin-token");
  if (!existsSync(file)) {
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  logger.warn(
    { file },
    "no NEPHORAN_ADMIN_TOKEN configured: an admin token was created and written to this file (mode 0600)",
  );
}

/** One presence timeout for the API, the metrics and sync: as configured, or three heartbeats. */
const presenceTimeoutMs = (c: HubConfig): number =>
  (c.presenceTimeoutSeconds ?? 3 * c.heartbeatSeconds) * 1000;

/**
 * The rules planner, or an LLM planner in front of it when one is configured, grounded in the bundled
 * knowledge base (kept in the data folder, built on first use).
 */
function planner(config: HubConfig, catalog: Catalog, metrics: HubMetrics): Planner {
  const rules = new RulesPlanner({ catalog, policy: config.guardrails });
  if (!config.llm) return rules;
  const { baseUrl, model, apiKey, timeoutMs } = config.llm;
  return new LlmPlanner({
    config: { baseUrl, model, timeoutMs, ...(apiKey ? { apiKey } : {}) },
    catalog,
    policy: config.guardrails,
    fallback: rules,
    retrieve: knowledgeRetriever(join(config.dataDir, "kb.db"), { model: "hashing" }),
    observe: {
      rag: (seconds) => metrics.ragQuery.observe(seconds),
      llm: (seconds, outcome) => metrics.llmRequest.observe({ outcome }, seconds),
    },
  });
}
