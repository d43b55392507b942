import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

export function register(app: OpenAPIHono<AppEnv>): void {
  app.get("/metrics", async (c) => {
    const registry = c.var.deps.metrics.registry;
    return c.body(await registry.metrics(), 200, { "content-type": registry.contentType });
  });
}
