import { describe, expect, it } from "vitest";
import { startTracing, traceFields, traceKey, tracing, tracingWanted } from "./index";

describe("tracing", () => {
  it("is wanted only when an OTLP endpoint is set and the SDK is not disabled", () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/v1/traces" })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" })).toBe(
      false,
    );
    expect(
      tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" }),
    ).toBe(false);
    expect(
      tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "otlp" }),
    ).toBe(true);
  });

  it("off, runs what it is given as it is, and remembers nothing", async () => {
    const stop = await startTracing("test", {});
    expect(tracing().enabled).toBe(false);
    expect(tracing().span("s", {}, () => 42)).toBe(42);
    await expect(tracing().span("s", {}, () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    tracing().remember(traceKey("int-1", 2), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(tracing().of(traceKey("int-1", 2))).toBeUndefined();
    expect(traceFields()).toEqual({});
    await stop();
  });

  it("keys a revision apart from its report", () => {
    expect(traceKey("int-1", 2)).toBe("int-1@2");
    expect(traceKey("int-1", 2, "report")).toBe("int-1@2 report");
  });
});
