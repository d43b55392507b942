import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { IdParam, SiteView, errorResponses } from "../schemas";
import { siteView } from "../views";

const route = createRoute({
  method: "post",
  path: "/v1/sites/{id}/resync",
  tags: ["sites"],
  summary: "Ask a site for a full resync of its desired state",
  middleware: [requireRole("operator")] as const,
  request: { params: IdParam },
  responses: {
    202: { description: "resync requested", content: { "application/json": { schema: SiteView } } },
    ...errorResponses(401, 403, 404),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const at = deps.clock.now().toISOString();
    const site = await deps.store.sites.requestResync(c.req.valid("param").id, at);
    await deps.store.audit.append({ actor: c.var.principal.name, action: "site.resync", target: site.id });
    deps.sync.resync(site.id);
    deps.events.publish({ type: "site.resync", id: site.id, at });
    return c.json(siteView(deps, site), 202);
  });
}
