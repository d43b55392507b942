/** Tracing on OpenTelemetry's SDK, exported over OTLP/HTTP; loaded only when the environment asks for it. */
import type { Context } from "@opentelemetry/api";
import { ROOT_CONTEXT, SpanStatusCode, context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { Tracing } from "./index";

/** How many intents' traces are remembered (the oldest forgotten first). */
const REMEMBERED = 10_000;

export function openTelemetry(service: string, env: Readonly<Record<string, string | undefined>>): Tracing {
  const resource = resourceFromAttributes({ "service.name": env["OTEL_SERVICE_NAME"] ?? service }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const tracer = trace.getTracer("nephoran");
  const remembered = new Map<string, string>();

  const traceparentOf = (ctx: Context): string | undefined => {
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    return carrier["traceparent"];
  };
  const fromParent = (traceparent: string | undefined): Context =>
    traceparent
      ? propagation.extract(
          ROOT_CONTEXT,
          { traceparent },
          { get: (c, k) => c[k as "traceparent"], keys: (c) => Object.keys(c) },
        )
      : context.active();

  return {
    enabled: true,
    span: (name, attributes, fn, parent) =>
      tracer.startActiveSpan(name, { attributes }, fromParent(parent), (span) => {
        const failed = (e: unknown) => {
          span.recordException(e instanceof Error ? e : String(e));
          span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
          span.end();
          throw e;
        };
        try {
          const out = fn((n) => span.updateName(n));
          if (out instanceof Promise)
            return out.then((v: unknown) => {
              span.end();
              return v;
            }, failed) as typeof out;
          span.end();
          return out;
        } catch (e) {
          return failed(e);
        }
      }),
    current: () => traceparentOf(context.active()),
    mark: (name, attributes, parent, startedAt) => {
      const span = tracer.startSpan(name, { attributes, startTime: startedAt }, fromParent(parent));
      span.end();
      return traceparentOf(trace.setSpan(ROOT_CONTEXT, span));
    },
    remember: (intentId, traceparent) => {
      remembered.delete(intentId);
      if (!traceparent) return;
      remembered.set(intentId, traceparent);
      if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value as string);
    },
    of: (intentId) => remembered.get(intentId),
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
