/**
 * Prometheus metrics. Fleet-level series answer anyone (a scraper often has no token) unless
 * `metricsAccess` is "token"; series that name sites need a viewer token, so an anonymous scrape never
 * lists the fleet's sites.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { callerOf } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode } from "../errors";

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/metrics",
    tags: ["operations"],
    summary: "Prometheus metrics: fleet-level series for anyone, per-site series with a viewer token",
    // The token is optional here (unless metricsAccess is "token").
    security: [{}, { bearer: [] }],
    responses: {
      200: {
        description: "the Prometheus text exposition format",
        content: {
          "text/plain; version=0.0.4": {
            schema: z.string().openapi({
              example:
                '# HELP sites Enrolled sites by presence\n# TYPE sites gauge\nsites{presence="online"} 12\nsites{presence="offline"} 1\n',
            }),
          },
        },
      },
    },
  });
  app.get("/metrics", async (c) => {
    const { metrics, metricsAccess } = c.var.deps;
    const caller = await callerOf(c);
    if (!caller && metricsAccess === "token")
      throw new ApiError(
        401,
        ApiErrorCode.Unauthenticated,
        "metrics need an API token (metricsAccess: token)",
      );
    const text = caller
      ? (await metrics.registry.metrics()) + (await metrics.siteRegistry.metrics())
      : await metrics.registry.metrics();
    return c.body(text, 200, { "content-type": metrics.registry.contentType });
  });
}
