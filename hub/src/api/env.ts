/** What every request handler can reach: the hub's services (set once) and the caller. */
import type { Catalog, Clock, GuardrailPolicy, Planner } from "@nephoran/shared";
import type { Logger } from "pino";
import type { Principal } from "../auth/middleware";
import type { EventBus } from "../events";
import type { HubMetrics } from "../metrics";
import type { HubStore } from "../store";

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
}

export type AppEnv = {
  Variables: {
    deps: HubDeps;
    principal: Principal;
    requestId: string;
  };
};
