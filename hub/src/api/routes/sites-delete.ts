import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { IdParam, errorResponses } from "../schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/sites/{id}",
  tags: ["sites"],
  summary: "Decommission a site: its credentials stop working and its reports are dropped",
  middleware: [requireRole("admin")] as const,
  request: { params: IdParam },
  responses: { 204: { description: "decommissioned" }, ...errorResponses(401, 403, 404) },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const id = c.req.valid("param").id;
    await deps.store.sites.delete(id);
    // Its credentials stop working now, and its live broker sessions are closed: a decommissioned box
    // receives nothing more, and nothing it sends counts.
    await deps.brokerAccess.revoke(id);
    deps.sync.revoked(id);
    await deps.store.audit.append({ actor: c.var.principal.name, action: "site.delete", target: id });
    deps.events.publish({ type: "site.deleted", id, at: deps.clock.now().toISOString() });
    return c.body(null, 204);
  });
}
