import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

export function register(app: OpenAPIHono<AppEnv>): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  // Ready only when the store really answers.
  app.get("/readyz", (c) => {
    let store = false;
    try {
      store = c.var.deps.store.ping();
    } catch {
      store = false;
    }
    return c.json({ status: store ? "ready" : "not ready", checks: { store } }, store ? 200 : 503);
  });
}
