/** The hub's services, built once by the composition root and handed to the API and the intent lifecycle. */
import type { Catalog, Clock, GuardrailPolicy, Planner } from "@nephoran/shared";
import type { Logger } from "pino";
import type { EventBus } from "./events";
import type { HubMetrics } from "./metrics";
import type { HubStore } from "./store";
import type { BrokerAccess } from "./sync/access";
import type { SyncPort } from "./sync/service";

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
