import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import { rollup } from "../../rollup";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { ETagHeader, IdParam, IntentView, errorResponses } from "../schemas";
import { etagOf } from "../etag";

const route = createRoute({
  method: "get",
  path: "/v1/intents/{id}",
  tags: ["intents"],
  summary: "One intent with its per-site rollout rollup",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParam },
  responses: {
    200: {
      description: "the intent",
      headers: ETagHeader,
      content: { "application/json": { schema: IntentView } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const intent = await deps.store.intents.get(c.req.valid("param").id);
    if (!intent) throw notFound(`intent ${c.req.valid("param").id}`);
    const r = await rollup(intent, deps.store.reports, deps.clock.now(), deps.presenceTimeoutMs);
    c.header("ETag", etagOf(intent.revision));
    return c.json({ ...intent, rollup: r }, 200);
  });
}
