import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";

export function register(app: OpenAPIHono<AppEnv>): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  // Ready only when the store really answers and, with sync on, the hub's link to its broker is up.
  app.get("/readyz", async (c) => {
    const store = await c.var.deps.store.ping().catch(() => false);
    const link = c.var.deps.sync.link();
    const sync = link === undefined || link.state === "online";
    const ok = store && sync;
    return c.json(
      {
        status: ok ? "ready" : "not ready",
        checks: { store, sync: link ? { link: link.state, since: link.since } : "off" },
      },
      ok ? 200 : 503,
    );
  });
}
