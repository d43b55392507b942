import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { Cursor, Limit, errorResponses } from "../schemas";

const AuditList = z.object({
  items: z.array(
    z.object({
      seq: z.number(),
      at: z.string(),
      actor: z.string(),
      action: z.string(),
      target: z.string(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const route = createRoute({
  method: "get",
  path: "/v1/audit",
  tags: ["audit"],
  summary: "Who changed what, when (oldest first, cursor pagination)",
  middleware: [requireRole("admin")] as const,
  request: { query: z.strictObject({ limit: Limit, cursor: Cursor.optional() }) },
  responses: {
    200: { description: "audit entries", content: { "application/json": { schema: AuditList } } },
    ...errorResponses(400, 401, 403),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    return c.json(
      await c.var.deps.store.audit.list({ limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) }),
      200,
    );
  });
}
