import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Intent } from "@nephoran/shared";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { IdParam, errorResponses } from "../schemas";
import { deleteIntent } from "../../intents";

const route = createRoute({
  method: "delete",
  path: "/v1/intents/{id}",
  tags: ["intents"],
  summary:
    "Remove an intent from every site it targets (state becomes deleting until the sites have removed it)",
  middleware: [requireRole("operator")] as const,
  request: { params: IdParam },
  responses: {
    202: {
      description: "deletion under way",
      content: { "application/json": { schema: z.object({ intent: Intent }) } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const intent = await deleteIntent(c.var.deps, c.req.valid("param").id, c.var.principal.name);
    return c.json({ intent }, 202);
  });
}
