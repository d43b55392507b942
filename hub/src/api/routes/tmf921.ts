/**
 * TMF921 Intent Management (v5) over the same intents: create, list, get and delete, with the intent
 * text in `description` or `expression.expressionValue` (text, or an IntentPlan object).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Intent } from "@nephoran/shared";
import { Priority, SiteSelector } from "@nephoran/shared";
import { requireRole } from "../../auth/middleware";
import type { AppEnv, HubDeps } from "../env";
import { notFound } from "../errors";
import { idempotent, newResourceId } from "../idempotency";
import { IdParam, IdempotencyHeader, LocationHeader, PlanInput, errorResponses } from "../schemas";
import { createIntent, deleteIntent, requireKnownSites, resolvePlan, selectorFor } from "../../intents";

const BASE = "/tmf-api/intentManagement/v5/intent";

const TmfIntentInput = z
  .object({
    "@type": z.literal("Intent").optional(),
    name: z.string().min(1).max(253),
    description: z.string().max(2000).optional(),
    priority: Priority.optional(),
    expression: z
      .object({ "@type": z.string().optional(), expressionValue: z.union([z.string().max(2000), PlanInput]) })
      .loose()
      .optional(),
    siteSelector: SiteSelector.optional(),
    allowUnknownSites: z.boolean().optional(),
  })
  .loose()
  .refine((b) => b.description !== undefined || b.expression !== undefined, {
    message: "give the intent in description or expression.expressionValue",
  });

const TmfIntent = z
  .object({
    id: z.string(),
    href: z.string(),
    "@type": z.literal("Intent"),
    name: z.string(),
    description: z.string().optional(),
    version: z.string(),
    lifecycleStatus: z.string(),
    creationDate: z.string(),
    lastUpdate: z.string(),
    expression: z.object({ "@type": z.string(), expressionValue: z.unknown() }),
  })
  .loose();

function toTmf(i: Intent) {
  return {
    id: i.id,
    href: `${BASE}/${i.id}`,
    "@type": "Intent" as const,
    name: i.name,
    ...(i.description !== undefined ? { description: i.description } : i.text ? { description: i.text } : {}),
    version: String(i.revision),
    lifecycleStatus: i.state === "active" ? "active" : "terminating",
    priority: i.priority,
    creationDate: i.createdAt,
    lastUpdate: i.updatedAt,
    expression: { "@type": "JsonLdExpression", expressionValue: i.plan },
  };
}

async function create(
  deps: HubDeps,
  body: z.infer<typeof TmfIntentInput>,
  actor: string,
  idempotency: { scope: string; key: string } | undefined,
): Promise<Intent> {
  const value = body.expression?.expressionValue;
  const text = typeof value === "string" ? value : body.description;
  const input = typeof value === "object" ? { plan: value } : { text: text as string };
  const { plan } = await resolvePlan(deps, input);
  const siteSelector = selectorFor(body.siteSelector, plan);
  await requireKnownSites(deps, siteSelector, body.allowUnknownSites);
  return createIntent(
    deps,
    {
      id: newResourceId("int", idempotency),
      name: body.name,
      ...(text ? { text } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      plan,
      siteSelector,
      // The caller's priority stands; without one, the plan's (urgency words in the text).
      priority: body.priority ?? plan.priority,
      createdBy: actor,
    },
    "tmf921",
  );
}

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: BASE,
      tags: ["tmf921"],
      summary: "TMF921: create an intent",
      middleware: [requireRole("operator"), idempotent()] as const,
      request: { headers: IdempotencyHeader, body: { ...json(TmfIntentInput), required: true } },
      responses: {
        201: { description: "created", headers: LocationHeader, ...json(TmfIntent) },
        ...errorResponses(400, 401, 403, 409, 413, 415, 422),
      },
    }),
    async (c) => {
      const intent = await create(c.var.deps, c.req.valid("json"), c.var.principal.name, c.var.idempotency);
      c.header("Location", `${BASE}/${intent.id}`);
      return c.json(toTmf(intent), 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: BASE,
      tags: ["tmf921"],
      summary: "TMF921: list intents (offset/limit)",
      middleware: [requireRole("viewer")] as const,
      request: {
        query: z.object({
          offset: z.coerce.number().int().min(0).default(0),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
      responses: {
        200: { description: "intents", ...json(z.array(TmfIntent)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { offset, limit } = c.req.valid("query");
      const all: Intent[] = [];
      for (
        let cursor: string | undefined, page;
        all.length < offset + limit;
        cursor = page.nextCursor ?? undefined
      ) {
        page = await c.var.deps.store.intents.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        if (!page.nextCursor) break;
      }
      c.header("X-Total-Count", String(await c.var.deps.store.intents.count()));
      return c.json(all.slice(offset, offset + limit).map(toTmf), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: `${BASE}/{id}`,
      tags: ["tmf921"],
      summary: "TMF921: one intent",
      middleware: [requireRole("viewer")] as const,
      request: { params: IdParam },
      responses: { 200: { description: "the intent", ...json(TmfIntent) }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const i = await c.var.deps.store.intents.get(c.req.valid("param").id);
      if (!i) throw notFound(`intent ${c.req.valid("param").id}`);
      return c.json(toTmf(i), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: `${BASE}/{id}`,
      tags: ["tmf921"],
      summary: "TMF921: delete an intent (removed from every site)",
      middleware: [requireRole("operator")] as const,
      request: { params: IdParam },
      responses: { 204: { description: "deletion under way" }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await deleteIntent(c.var.deps, c.req.valid("param").id, c.var.principal.name, "tmf921");
      return c.body(null, 204);
    },
  );
}
