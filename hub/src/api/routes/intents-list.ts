import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { IntentList, ListIntentsQuery, errorResponses } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/intents",
  tags: ["intents"],
  summary: "List intents (filters, cursor pagination)",
  middleware: [requireRole("viewer")] as const,
  request: { query: ListIntentsQuery },
  responses: {
    200: { description: "a page of intents", content: { "application/json": { schema: IntentList } } },
    ...errorResponses(400, 401, 403),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    return c.json(await c.var.deps.store.intents.list(q), 200);
  });
}
