/** The hub: store, planner, API and server, built from the config and started/stopped as one. */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import type { Clock, HubTransport, LinkTuning, Planner } from "@nephoran/shared";
import {
  Catalog,
  createHubTransport,
  knowledgeRetriever,
  LlmPlanner,
  RulesPlanner,
  systemClock,
} from "@nephoran/shared";
import type { Logger } from "pino";
import { pino } from "pino";
import { createApp } from "./api/app";
import type { HubDeps } from "./api/env";
import { hashToken, newId, newToken } from "./auth/tokens";
import type { HubConfig } from "./config";
import { EventBus } from "./events";
import { createMetrics } from "./metrics";
import type { HubStore } from "./store";
import { SqliteHubStore } from "./store";
import type { BrokerAccess } from "./sync/access";
import { brokerAccess } from "./sync/access";
import { EmbeddedBroker, HUB_USER } from "./sync/broker";
import { SyncService } from "./sync/service";

export interface HubOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly store?: HubStore;
  readonly planner?: Planner;
  /** How fast links are declared dead and redialled (tests shorten it). */
  readonly link?: LinkTuning;
}

export class Hub {
  readonly config: HubConfig;
  readonly deps: HubDeps;
  readonly app: ReturnType<typeof createApp>;
  #server: ServerType | undefined;
  #url = "";
  #broker: EmbeddedBroker | undefined;
  #brokerUrl = "";
  #sync: SyncService | undefined;
  readonly #access: BrokerAccess;
  readonly #link: LinkTuning | undefined;

  constructor(config: HubConfig, opts: HubOptions = {}) {
    this.config = config;
    mkdirSync(config.dataDir, { recursive: true });
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? pino({ level: config.logLevel }, pino.destination(2));
    const catalog = new Catalog();
    const store = opts.store ?? new SqliteHubStore(join(config.dataDir, "hub.db"), () => clock.now());
    this.#link = opts.link;
    this.#access = brokerAccess(config.sync, store, () =>
      this.#broker
        ? {
            url: this.#brokerUrl,
            disconnectStale: (site, current) => this.#broker?.disconnectStale(site, current) ?? 0,
          }
        : undefined,
    );
    this.deps = {
      store,
      catalog,
      guardrails: config.guardrails,
      planner: opts.planner ?? planner(config, catalog),
      clock,
      logger,
      events: new EventBus(),
      metrics: createMetrics(store, () => clock.now(), presenceTimeoutMs(config)),
      presenceTimeoutMs: presenceTimeoutMs(config),
      publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
      // Routes may change intents before sync is up; what they change reaches sites on their next hello.
      sync: {
        changed: (c) => this.#sync?.changed(c),
        resync: (site) => this.#sync?.resync(site),
        revoked: (site) => this.#sync?.revoked(site),
        link: () =>
          this.#sync?.link() ??
          (config.sync.transport === "none" ? undefined : { state: "connecting", since: "" }),
      },
      brokerAccess: this.#access,
      metricsAccess: config.metricsAccess,
    };
    this.#bootstrapAdmin();
    this.app = createApp(this.deps);
  }

  /** The admin token from config is stored (hashed) once; with none configured and none stored, one is made and written to a 0600 file. */
  #bootstrapAdmin(): void {
    const { store, logger } = this.deps;
    if (this.config.adminToken) {
      const hash = hashToken(this.config.adminToken);
      if (!store.tokenByHash(hash))
        store.addApiToken({ id: newId("tok"), name: "bootstrap-admin", role: "admin", hash });
      return;
    }
    if (store.countApiTokens() > 0) return;
    const token = newToken("api");
    store.addApiToken({ id: newId("tok"), name: "bootstrap-admin", role: "admin", hash: hashToken(token) });
    const file = join(this.config.dataDir, "admin-token");
    if (!existsSync(file)) {
      writeFileSync(file, `${token}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    logger.warn(
      { file },
      "no NEPHORAN_ADMIN_TOKEN configured: an admin token was created and written to this file (mode 0600)",
    );
  }

  get url(): string {
    return this.#url;
  }

  /** The broker URL agents are given (the embedded broker's, once started). */
  get brokerUrl(): string {
    return this.#brokerUrl;
  }

  get sync(): SyncService | undefined {
    return this.#sync;
  }

  async start(): Promise<string> {
    await this.#startSync();
    await new Promise<void>((resolve) => {
      this.#server = serve(
        { fetch: this.app.fetch, hostname: this.config.host, port: this.config.port },
        () => resolve(),
      );
    });
    // Keep idle connections longer than clients and proxies do (Node's 5 s default makes them reuse closed sockets).
    const server = this.#server as unknown as { keepAliveTimeout: number; headersTimeout: number };
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    const addr = this.#server?.address() as AddressInfo;
    this.#url = `http://${this.config.host}:${addr.port}`;
    this.deps.logger.info({ url: this.#url }, "hub listening");
    return this.#url;
  }

  async #startSync(): Promise<void> {
    const c = this.config.sync;
    if (c.transport === "none") return;
    let transport: HubTransport;
    if (c.transport === "embedded") {
      const { store } = this.deps;
      this.#broker = new EmbeddedBroker({
        host: c.host,
        port: c.port,
        verifySite: (site, password) => store.siteByCredential(hashToken(password))?.id === site,
        logger: this.deps.logger.child({ component: "broker" }),
      });
      this.#brokerUrl = await this.#broker.start();
      transport = await createHubTransport(
        {
          transport: "mqtt",
          url: this.#brokerUrl,
          username: HUB_USER,
          password: this.#broker.hubPassword,
          protocolVersion: 4,
        },
        this.#link,
      );
    } else {
      this.#brokerUrl = c.agentUrl ?? c.url;
      this.#access.sync();
      transport =
        c.transport === "nats"
          ? await createHubTransport({ transport: "nats", url: c.url, nkeySeed: c.nkeySeed }, this.#link)
          : await createHubTransport(
              {
                transport: "mqtt",
                url: c.url,
                username: c.username,
                password: c.password,
                protocolVersion: 5,
              },
              this.#link,
            );
    }
    this.#sync = new SyncService({
      store: this.deps.store,
      transport,
      clock: this.deps.clock,
      logger: this.deps.logger.child({ component: "sync" }),
      heartbeatMs: this.config.heartbeatSeconds * 1000,
      presenceTimeoutMs: presenceTimeoutMs(this.config),
    });
    await this.#sync.start();
    this.deps.logger.info({ transport: transport.describe }, "hub sync running");
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    await this.#sync?.stop();
    await this.#broker?.stop();
    this.deps.store.close();
  }
}

/** One presence timeout for the API, the metrics and sync: as configured, or three heartbeats. */
const presenceTimeoutMs = (c: HubConfig): number =>
  (c.presenceTimeoutSeconds ?? 3 * c.heartbeatSeconds) * 1000;

/**
 * The rules planner, or an LLM planner in front of it when one is configured, grounded in the bundled
 * knowledge base (kept in the data folder, built on first use).
 */
function planner(config: HubConfig, catalog: Catalog): Planner {
  const rules = new RulesPlanner({ catalog, policy: config.guardrails });
  if (!config.llm) return rules;
  const { baseUrl, model, apiKey, timeoutMs } = config.llm;
  return new LlmPlanner({
    config: { baseUrl, model, timeoutMs, ...(apiKey ? { apiKey } : {}) },
    catalog,
    policy: config.guardrails,
    fallback: rules,
    retrieve: knowledgeRetriever(join(config.dataDir, "kb.db"), { model: "hashing" }),
  });
}
