/** The hub: store, planner, API and server, built from the config and started/stopped as one. */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { ServerType } from "@hono/node-server";
import type { Clock, Planner } from "@nephoran/shared";
import { Catalog, RulesPlanner, systemClock } from "@nephoran/shared";
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

export interface HubOptions {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly store?: HubStore;
  readonly planner?: Planner;
}

export class Hub {
  readonly config: HubConfig;
  readonly deps: HubDeps;
  readonly app: ReturnType<typeof createApp>;
  #server: ServerType | undefined;
  #url = "";

  constructor(config: HubConfig, opts: HubOptions = {}) {
    this.config = config;
    mkdirSync(config.dataDir, { recursive: true });
    const clock = opts.clock ?? systemClock;
    const logger = opts.logger ?? pino({ level: config.logLevel }, pino.destination(2));
    const catalog = new Catalog();
    const store = opts.store ?? new SqliteHubStore(join(config.dataDir, "hub.db"), () => clock.now());
    this.deps = {
      store,
      catalog,
      guardrails: config.guardrails,
      planner: opts.planner ?? new RulesPlanner({ catalog, policy: config.guardrails }),
      clock,
      logger,
      events: new EventBus(),
      metrics: createMetrics(store, () => clock.now(), config.presenceTimeoutSeconds * 1000),
      presenceTimeoutMs: config.presenceTimeoutSeconds * 1000,
      publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
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

  async start(): Promise<string> {
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

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.deps.store.close();
  }
}
