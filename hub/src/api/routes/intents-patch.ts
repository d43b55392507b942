import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode, notFound } from "../errors";
import { etagOf, ifMatchRevision } from "../etag";
import {
  ETagHeader,
  IdParam,
  IfMatchHeader,
  IntentView,
  PatchIntentRequest,
  errorResponses,
} from "../schemas";
import { changeIntent, requireKnownSites, resolvePlan } from "../../intents";

const route = createRoute({
  method: "patch",
  path: "/v1/intents/{id}",
  tags: ["intents"],
  summary: "Change an intent: a new revision; If-Match with the current ETag is required",
  middleware: [requireRole("operator")] as const,
  request: {
    params: IdParam,
    headers: IfMatchHeader,
    body: { content: { "application/json": { schema: PatchIntentRequest } }, required: true },
  },
  responses: {
    200: {
      description: "the new revision",
      headers: ETagHeader,
      content: { "application/json": { schema: IntentView } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const id = c.req.valid("param").id;
    const ifMatch = c.req.header("if-match");
    if (!ifMatch)
      throw new ApiError(
        428,
        ApiErrorCode.PreconditionRequired,
        'send If-Match with the ETag of the revision you changed (e.g. If-Match: "3")',
      );
    const ifRevision = ifMatchRevision(ifMatch);
    if (!(await deps.store.intents.get(id))) throw notFound(`intent ${id}`);
    const { allowUnknownSites, ...body } = c.req.valid("json");
    if (body.siteSelector) await requireKnownSites(deps, body.siteSelector, allowUnknownSites);
    const planned =
      body.text !== undefined || body.plan !== undefined ? await resolvePlan(deps, body) : undefined;
    const updated = await changeIntent(
      deps,
      id,
      ifRevision,
      {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.text !== undefined ? { text: body.text } : {}),
        ...(planned ? { plan: planned.plan } : {}),
        ...(body.siteSelector !== undefined ? { siteSelector: body.siteSelector } : {}),
        ...(body.priority !== undefined ? { priority: body.priority } : {}),
        ...(body.rollout !== undefined
          ? { rollout: body.rollout }
          : planned?.plan.rollout
            ? { rollout: planned.plan.rollout }
            : {}),
      },
      c.var.principal.name,
      Object.keys(body),
    );
    c.header("ETag", etagOf(updated.revision));
    return c.json({ ...updated, warnings: [...(planned?.warnings ?? [])] }, 200);
  });
}
