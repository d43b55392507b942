import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { scopeOf } from "@nephoran/shared";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { PlanRequest, PlanResponse, errorResponses } from "../schemas";
import { resolvePlan } from "../../intents";

const route = createRoute({
  method: "post",
  path: "/v1/plan",
  tags: ["intents"],
  summary: "Preview: turn text into a validated plan; nothing is stored",
  middleware: [requireRole("viewer")] as const,
  request: { body: { content: { "application/json": { schema: PlanRequest } }, required: true } },
  responses: {
    200: { description: "the plan", content: { "application/json": { schema: PlanResponse } } },
    ...errorResponses(400, 401, 403, 422),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { plan, warnings } = await resolvePlan(c.var.deps, { text: c.req.valid("json").text });
    return c.json(
      {
        plan,
        scope: scopeOf(plan),
        source: plan.source,
        confidence: plan.confidence,
        warnings: [...warnings],
      },
      200,
    );
  });
}
