/**
 * Traces from an operator's API call to a site's report, through OpenTelemetry — off unless the standard
 * `OTEL_*` environment variables ask for it (an OTLP endpoint). Off, every call here is a no-op and no
 * tracing code is loaded (an edge agent keeps its memory); on, `startTracing` loads the SDK and the OTLP/HTTP
 * exporter. The W3C trace context crosses the broker as a `traceparent` in the sync messages, and an intent's
 * change is remembered by id so what it causes later (a reconcile, a report) joins the same trace.
 */
import * as z from "zod";

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/** A W3C trace context (`traceparent` header value), as the sync messages carry it. */
export const Traceparent = z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, {
  message: "a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)",
});

export interface Tracing {
  readonly enabled: boolean;
  /**
   * Runs `fn` in a new span: a child of `parent` (a traceparent from a message) when given, else of the span
   * in progress. A promise ends the span when it settles; a throw or rejection marks it failed. `fn` may
   * rename the span once it knows better (a request's route, once routed).
   */
  span<T>(
    name: string,
    attributes: SpanAttributes,
    fn: (rename: (name: string) => void) => T,
    parent?: string,
  ): T;
  /** The span in progress as a traceparent, for a message or a log line. */
  current(): string | undefined;
  /**
   * Records a span that began at `startedAt` (ms) and ends now, a child of `parent`: for work done for many
   * traces at once (one commit of many sites' reports). Returns the span as a traceparent.
   */
  mark(
    name: string,
    attributes: SpanAttributes,
    parent: string | undefined,
    startedAt: number,
  ): string | undefined;
  /** Remembers the trace an intent's revision (traceKey) belongs to, for what it causes later. */
  remember(key: string, traceparent: string | undefined): void;
  /** The trace remembered for an intent's revision (traceKey). */
  of(key: string): string | undefined;
  /** Sends what is waiting and stops. */
  shutdown(): Promise<void>;
}

const NOOP: Tracing = {
  enabled: false,
  span: (_name, _attributes, fn) => fn(() => undefined),
  current: () => undefined,
  mark: () => undefined,
  remember: () => undefined,
  of: () => undefined,
  shutdown: async () => undefined,
};

let active: Tracing = NOOP;

/** The process's tracing: a no-op until startTracing turned it on. */
export const tracing = (): Tracing => active;

/**
 * What a trace is remembered by: one revision of one intent (at a site: received, not yet reconciled), or
 * its report (`report`: reconciled, not yet reported).
 */
export const traceKey = (intentId: string, revision: number, stage?: "report"): string =>
  `${intentId}@${revision}${stage ? ` ${stage}` : ""}`;

/** The trace id in a traceparent (for log lines). */
export const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.slice(3, 35);

/** A log line's trace fields (a pino mixin): the trace in progress, when there is one. */
export function traceFields(): { traceId?: string } {
  const id = traceIdOf(active.current());
  return id ? { traceId: id } : {};
}

type Env = Readonly<Record<string, string | undefined>>;

/** Whether the environment asks for traces: an OTLP endpoint, and the SDK not disabled. */
export function tracingWanted(env: Env): boolean {
  if (env["OTEL_SDK_DISABLED"]?.toLowerCase() === "true") return false;
  if (env["OTEL_TRACES_EXPORTER"] !== undefined && !/\botlp\b/.test(env["OTEL_TRACES_EXPORTER"]))
    return false;
  return Boolean(env["OTEL_EXPORTER_OTLP_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
}

/**
 * Turns tracing on for this process when the environment asks for it (see tracingWanted), naming the
 * service `service` unless OTEL_SERVICE_NAME does. Returns how to stop it (sending what is waiting).
 */
export async function startTracing(service: string, env: Env = process.env): Promise<() => Promise<void>> {
  if (!tracingWanted(env) || active.enabled) return async () => undefined;
  const { openTelemetry } = await import("./otel");
  const on = openTelemetry(service, env);
  active = on;
  return async () => {
    if (active === on) active = NOOP;
    await on.shutdown();
  };
}
