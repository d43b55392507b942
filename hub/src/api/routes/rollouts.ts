import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Intent, RolloutSiteState, RolloutState, RolloutStrategy } from "@nephoran/shared";
import { requireRole } from "../../auth/middleware";
import { act, rollbackTo, rolloutView } from "../../rollouts/actions";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { ETagHeader, IdParam, IntentView, errorResponses } from "../schemas";
import { etagOf } from "../etag";

const RolloutView = z
  .object({
    intentId: z.string(),
    revision: z.number(),
    fromRevision: z.number().nullable(),
    state: RolloutState,
    reason: z.string().nullable(),
    stage: z
      .number()
      .openapi({ description: "the stage under way (or the last one, once finished), from 0" }),
    stages: z.array(
      z.object({
        name: z.string(),
        sites: z.number(),
        status: z.enum(["Passed", "Current", "Waiting"]),
        counts: z.record(RolloutSiteState, z.number()),
      }),
    ),
    failures: z.array(
      z.object({
        site: z.string(),
        why: z.string(),
        unavailable: z.boolean().optional(),
        accepted: z.boolean().optional(),
      }),
    ),
    failuresCounted: z.number(),
    failureBudget: z.number(),
    strategy: RolloutStrategy,
    startedAt: z.string(),
    stageStartedAt: z.string(),
    readySince: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("Rollout");

const get = createRoute({
  method: "get",
  path: "/v1/intents/{id}/rollout",
  tags: ["rollouts"],
  summary: "How the intent's newest staged rollout stands: its stages, their sites by state, failures",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParam },
  responses: {
    200: { description: "the rollout", content: { "application/json": { schema: RolloutView } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

const ActionParam = IdParam.extend({
  action: z.enum(["pause", "resume", "abort"]).openapi({ param: { name: "action", in: "path" } }),
});

const post = createRoute({
  method: "post",
  path: "/v1/intents/{id}/rollout/{action}",
  tags: ["rollouts"],
  summary:
    "Pause a rollout, resume it (past the failures so far), or abort it (every touched site goes back to the revision before)",
  middleware: [requireRole("operator")] as const,
  request: { params: ActionParam },
  responses: {
    200: {
      description: "the rollout after the action",
      content: { "application/json": { schema: RolloutView } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const rollback = createRoute({
  method: "post",
  path: "/v1/intents/{id}/rollback",
  tags: ["rollouts"],
  summary:
    "Make an earlier revision's spec the intent's again, as a new revision, at every site at once (a rollout under way is superseded)",
  middleware: [requireRole("operator")] as const,
  request: {
    params: IdParam,
    body: {
      content: {
        "application/json": {
          schema: z
            .strictObject({ toRevision: z.number().int().min(1) })
            .openapi({ example: { toRevision: 2 } }),
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: "the new revision",
      headers: ETagHeader,
      content: { "application/json": { schema: IntentView } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415),
  },
});

const revisions = createRoute({
  method: "get",
  path: "/v1/intents/{id}/revisions",
  tags: ["rollouts"],
  summary: "Every revision of the intent as it was made, oldest first",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParam },
  responses: {
    200: {
      description: "the revisions",
      content: { "application/json": { schema: z.object({ items: z.array(Intent) }) } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(get, async (c) => c.json(await rolloutView(c.var.deps, c.req.valid("param").id), 200));
  app.openapi(post, async (c) => {
    const { id, action } = c.req.valid("param");
    await act(c.var.deps, id, action, c.var.principal.name);
    return c.json(await rolloutView(c.var.deps, id), 200);
  });
  app.openapi(rollback, async (c) => {
    const id = c.req.valid("param").id;
    const intent = await rollbackTo(c.var.deps, id, c.req.valid("json").toRevision, c.var.principal.name);
    c.header("ETag", etagOf(intent.revision));
    return c.json(intent, 200);
  });
  app.openapi(revisions, async (c) => {
    const id = c.req.valid("param").id;
    const items = await c.var.deps.store.intents.revisions(id);
    if (!items.length) throw notFound(`intent ${id}`);
    return c.json({ items }, 200);
  });
}
