/** What every request handler can reach: the hub's services (set once) and the caller. */
import type { Catalog, Clock, GuardrailPolicy, Planner } from "@nephoran/shared";
import type { Logger } from "pino";
import type { Principal } from "../auth/middleware";
import type { EventBus } from "../events";
import type { HubMetrics } from "../metrics";
import type { HubStore } from "../store";
import type { BrokerAccess } from "../sync/access";
import type { SyncPort } from "../sync/service";

export interface HubDeps {
  readonly store: HubStore;
  readonly planner: Planner;
  readonly catalog: Catalog;
  readonly guardrails: GuardrailPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly metrics: HubMetrics;
  /** A site not heard from for this long counts as offline. */
  readonly presenceTimeoutMs: number;
  /** The URL agents reach this hub at, handed out at enrollment. */
  readonly publicUrl: string;
  /** Sends committed intent changes to the sites they concern. */
  readonly sync: SyncPort;
  readonly metricsAccess: "aggregate" | "token";
  /** Issues each enrolling site its broker credentials. */
  readonly brokerAccess: BrokerAccess;
}

export type AppEnv = {
  Variables: {
    deps: HubDeps;
    principal: Principal;
    requestId: string;
    /** Set when the request carries an Idempotency-Key (see idempotency.ts). */
    idempotency: { scope: string; key: string } | undefined;
  };
};
