import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { idempotent, keyedId } from "../idempotency";
import {
  CreateIntentRequest,
  ETagHeader,
  IdempotencyHeader,
  IntentView,
  LocationHeader,
  errorResponses,
} from "../schemas";
import { createIntent, requireKnownSites, resolvePlan, selectorFor } from "../../intents";
import { etagOf } from "../etag";

const route = createRoute({
  method: "post",
  path: "/v1/intents",
  tags: ["intents"],
  summary: "Create a fleet intent from text (planned by the hub) or from a plan",
  middleware: [requireRole("operator"), idempotent()] as const,
  request: {
    headers: IdempotencyHeader,
    body: { content: { "application/json": { schema: CreateIntentRequest } }, required: true },
  },
  responses: {
    201: {
      description: "created",
      headers: { ...ETagHeader, ...LocationHeader },
      content: { "application/json": { schema: IntentView } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const body = c.req.valid("json");
    const { plan, warnings } = await resolvePlan(deps, body);
    const siteSelector = selectorFor(body.siteSelector, plan);
    await requireKnownSites(deps, siteSelector, body.allowUnknownSites);
    const intent = await createIntent(
      deps,
      {
        ...keyedId("int", c.var.idempotency),
        name:
          body.name ??
          body.text?.slice(0, 120) ??
          `${plan.intentType} ${plan.actions.map((a) => a.nf).join(",")}`,
        ...(body.text !== undefined ? { text: body.text } : {}),
        plan,
        siteSelector,
        priority: body.priority ?? plan.priority,
        // A strategy given beside the text wins over one the text says.
        ...((body.rollout ?? plan.rollout) ? { rollout: body.rollout ?? plan.rollout } : {}),
        createdBy: c.var.principal.name,
      },
      "v1",
    );
    c.header("ETag", etagOf(intent.revision));
    c.header("Location", `/v1/intents/${intent.id}`);
    return c.json({ ...intent, warnings: [...warnings] }, 201);
  });
}
