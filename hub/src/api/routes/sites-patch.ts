import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { IdParam, PatchSiteRequest, SiteView, errorResponses } from "../schemas";
import { siteView } from "../views";

const route = createRoute({
  method: "patch",
  path: "/v1/sites/{id}",
  tags: ["sites"],
  summary: "Replace a site's labels; intents whose selectors now match or no longer match follow",
  middleware: [requireRole("operator")] as const,
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: PatchSiteRequest } }, required: true },
  },
  responses: {
    200: { description: "the site", content: { "application/json": { schema: SiteView } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const id = c.req.valid("param").id;
    const { site, changes } = await deps.store.transaction(async (tx) => {
      const s = await tx.sites.setLabels(id, c.req.valid("json").labels);
      // Other labels can bring the site into or out of intents' reach.
      const changes = await tx.desired.retargetSite(id);
      await tx.audit.append({
        actor: c.var.principal.name,
        action: "site.labels",
        target: s.id,
        detail: { labels: s.labels },
      });
      return { site: (await tx.sites.get(id)) ?? s, changes };
    });
    deps.sync.changed(changes);
    deps.events.publish({ type: "site.updated", id: site.id, at: deps.clock.now().toISOString() });
    return c.json(siteView(deps, site), 200);
  });
}
