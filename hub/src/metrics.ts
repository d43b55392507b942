/** Prometheus metrics of the hub, on its own registry (no process-wide default). */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { HubStore } from "./store";
import { intentsByState, onlineSince } from "./rollup";

export interface HubMetrics {
  /** Fleet-level series: no site names. */
  readonly registry: Registry;
  /** Series labelled by site: only for callers with a token. */
  readonly siteRegistry: Registry;
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly httpDuration: Histogram<"method" | "route">;
  readonly intentProcessing: Histogram<"source">;
  readonly intentsProcessed: Counter<"result">;
  /** Requests to the LLM planner's model, by outcome. */
  readonly llmRequest: Histogram<"outcome">;
  /** Retrievals from the knowledge base for planning (RAG). */
  readonly ragQuery: Histogram;
}

export function createMetrics(store: HubStore, now: () => Date, presenceTimeoutMs: number): HubMetrics {
  const registry = new Registry();
  const siteRegistry = new Registry();
  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const intentProcessing = new Histogram({
    name: "intent_processing_duration_seconds",
    help: "Time to turn an intent into a validated plan",
    labelNames: ["source"],
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const intentsProcessed = new Counter({
    name: "intents_processed_total",
    help: "Intents planned, by result",
    labelNames: ["result"],
    registers: [registry],
  });
  const llmRequest = new Histogram({
    name: "llm_request_duration_seconds",
    help: "Requests to the LLM planner's model, by outcome (ok, error)",
    labelNames: ["outcome"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const ragQuery = new Histogram({
    name: "rag_query_duration_seconds",
    help: "Knowledge base retrievals that ground the LLM planner",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  new Gauge({
    name: "database_connection_pool_size",
    help: "The store's connections: max (configured), open, idle, and waiting (callers waiting for one)",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const p = store.pool();
      this.set({ state: "max" }, p.max);
      this.set({ state: "open" }, p.open);
      this.set({ state: "idle" }, p.idle);
      this.set({ state: "waiting" }, p.waiting);
    },
  });
  new Gauge({
    name: "intent_success_rate",
    help: "Share of processed intents that were planned",
    registers: [registry],
    async collect() {
      const values = (await intentsProcessed.get()).values;
      const total = values.reduce((a, v) => a + v.value, 0);
      const ok = values.filter((v) => v.labels.result === "planned").reduce((a, v) => a + v.value, 0);
      this.set(total ? ok / total : 1);
    },
  });
  new Gauge({
    name: "active_network_intents_total",
    help: "Intents stored at the hub, by state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await intentsByState(store);
      for (const state of ["active", "deleting"]) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  new Gauge({
    name: "sites",
    help: "Enrolled sites by presence",
    labelNames: ["presence"],
    registers: [registry],
    async collect() {
      let online = 0;
      let offline = 0;
      for (const on of (await store.sites.presence(onlineSince(now(), presenceTimeoutMs))).values()) {
        if (on) online++;
        else offline++;
      }
      this.set({ presence: "online" }, online);
      this.set({ presence: "offline" }, offline);
    },
  });
  new Gauge({
    name: "sync_lag_versions",
    help: "Desired minus reported version per site (only sites that lag)",
    labelNames: ["site"],
    registers: [siteRegistry],
    async collect() {
      this.reset();
      for (const s of await store.sites.lagging()) this.set({ site: s.id }, s.lag);
    },
  });
  return {
    registry,
    siteRegistry,
    httpRequests,
    httpDuration,
    intentProcessing,
    intentsProcessed,
    llmRequest,
    ragQuery,
  };
}
