import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { ListSitesQuery, SiteList, errorResponses } from "../schemas";
import { siteView } from "../views";
import { selects } from "@nephoran/shared";
import { presenceOf } from "../../rollup";

const route = createRoute({
  method: "get",
  path: "/v1/sites",
  tags: ["sites"],
  summary: "List enrolled sites (label filter, presence, text, cursor pagination)",
  middleware: [requireRole("viewer")] as const,
  request: { query: ListSitesQuery },
  responses: {
    200: { description: "a page of sites", content: { "application/json": { schema: SiteList } } },
    ...errorResponses(400, 401, 403),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const label = q.label
      ? Object.fromEntries(q.label.split(",").map((kv) => kv.split("=") as [string, string]))
      : undefined;
    const text = q.q?.toLowerCase();
    const deps = c.var.deps;
    const now = deps.clock.now();
    const page = await deps.store.sites.list({
      limit: q.limit,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(label || q.presence || text
        ? {
            where: (s) =>
              (!label || selects({ matchLabels: label }, s)) &&
              (!q.presence || presenceOf(s, now, deps.presenceTimeoutMs) === q.presence) &&
              (!text ||
                s.id.toLowerCase().includes(text) ||
                Object.values(s.labels).some((v) => v.toLowerCase().includes(text))),
          }
        : {}),
    });
    const items = page.items.map((s) => siteView(deps, s));
    return c.json({ items, nextCursor: page.nextCursor }, 200);
  });
}
