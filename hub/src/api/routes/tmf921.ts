/**
 * TMF921 Intent Management v5 over the same intents: create, list and get (with `fields=` attribute
 * selection), JSON merge patch onto a new revision, and delete — every error in the standard's `Error` shape
 * (see `errorBody`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { Intent } from "@nephoran/shared";
import { requireRole } from "../../auth/middleware";
import type { AppEnv, HubDeps } from "../env";
import { ApiError, ApiErrorCode, notFound } from "../errors";
import { etagOf, ifMatchRevision } from "../etag";
import { idempotent, keyedId } from "../idempotency";
import { ETagHeader, IdParam, IdempotencyHeader, LocationHeader, tmfErrorResponses, json } from "../schemas";
import type { TmfExpression, TmfIntentInput } from "../tmf921";
import {
  CountHeaders,
  Fields,
  ListQuery,
  READ_ONLY,
  TMF_INTENTS,
  TmfIntent,
  TmfIntentInput as TmfIntentInputSchema,
  TmfIntentPatch,
  expressionOf,
  mergePatch,
  planInputOf,
  select,
  toTmf,
} from "../tmf921";
import {
  changeIntent,
  createIntent,
  deleteIntent,
  requireKnownSites,
  resolvePlan,
  selectorFor,
} from "../../intents";

/** The resource as a client reads it, with the lifecycle status its rollout gives it. */
async function view(deps: HubDeps, i: Intent): Promise<TmfIntent> {
  return toTmf(i, (await deps.store.rollouts.latest(i.id))?.state);
}

/** The expression exactly as the client sent it (the validated copy may have gained defaults). */
async function rawExpression(c: Context<AppEnv>): Promise<Record<string, unknown> | undefined> {
  const raw = (await c.req.json()) as { expression?: Record<string, unknown> | null };
  return raw.expression ?? undefined;
}

async function create(
  deps: HubDeps,
  body: TmfIntentInput,
  expression: Record<string, unknown> | undefined,
  actor: string,
  idempotency: { scope: string; key: string } | undefined,
): Promise<Intent> {
  const input = planInputOf(body);
  const { plan } = await resolvePlan(deps, input);
  const siteSelector = selectorFor(body.siteSelector, plan);
  await requireKnownSites(deps, siteSelector, body.allowUnknownSites);
  return createIntent(
    deps,
    {
      ...keyedId("int", idempotency),
      name: body.name,
      ...("text" in input && input.text ? { text: input.text } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(expression ? { expression } : {}),
      plan,
      siteSelector,
      // The caller's priority stands; without one, the plan's (urgency words in the text).
      priority: body.priority ?? plan.priority,
      ...(plan.rollout ? { rollout: plan.rollout } : {}),
      createdBy: actor,
    },
    "tmf921",
  );
}

/**
 * A merge patch onto the intent as the client sees it (name, description, priority, expression, and the
 * hub's siteSelector): a new revision, re-planned when what the intent says changed.
 */
async function patch(
  deps: HubDeps,
  cur: Intent,
  body: Record<string, unknown>,
  ifRevision: number,
  actor: string,
): Promise<Intent> {
  const named = READ_ONLY.filter((k) => k in body);
  if (named.length)
    throw new ApiError(400, ApiErrorCode.Validation, `${named.join(", ")}: kept by the hub, not patchable`);
  for (const k of ["name", "expression", "priority", "siteSelector"])
    if (body[k] === null) throw new ApiError(400, ApiErrorCode.Validation, `${k}: cannot be removed`);
  // What the client reads is what it patches: its own expression, or the plan (an intent made by /v1).
  const before = {
    name: cur.name,
    ...(cur.description !== undefined ? { description: cur.description } : {}),
    priority: cur.priority,
    expression: expressionOf(cur),
  };
  const merged = mergePatch(before, body) as Record<string, unknown> & {
    expression: Record<string, unknown>;
  };
  const parsed = TmfIntentInputSchema.safeParse(merged);
  if (!parsed.success)
    throw new ApiError(
      400,
      ApiErrorCode.Validation,
      parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  const next = parsed.data;
  const says = (b: { description?: string | undefined; expression?: TmfExpression | undefined }) =>
    JSON.stringify(planInputOf(b));
  const planned =
    says(next) !== says(TmfIntentInputSchema.parse(before))
      ? await resolvePlan(deps, planInputOf(next))
      : undefined;
  const given = next.siteSelector;
  const siteSelector =
    given || planned?.plan.sites ? selectorFor(given, planned?.plan ?? cur.plan) : undefined;
  if (siteSelector) await requireKnownSites(deps, siteSelector, next.allowUnknownSites);
  const input = planned ? planInputOf(next) : undefined;
  return changeIntent(
    deps,
    cur.id,
    ifRevision,
    {
      ...(next.name !== cur.name ? { name: next.name } : {}),
      ...(next.description !== cur.description ? { description: next.description ?? null } : {}),
      ...(next.priority !== undefined && next.priority !== cur.priority ? { priority: next.priority } : {}),
      ...("expression" in body ? { expression: merged.expression } : {}),
      ...(input && "text" in input ? { text: input.text } : {}),
      ...(planned ? { plan: planned.plan } : {}),
      ...(planned?.plan.rollout ? { rollout: planned.plan.rollout } : {}),
      ...(siteSelector ? { siteSelector } : {}),
    },
    actor,
    Object.keys(body),
  );
}

const PATCH_TYPES = ["application/merge-patch+json", "application/json"];

/** A merge patch, not a JSON Patch (or any other JSON): checked before the body is read as one. */
const mergePatchOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!PATCH_TYPES.includes(type))
    throw new ApiError(
      415,
      ApiErrorCode.UnsupportedMediaType,
      `send a JSON merge patch (${PATCH_TYPES.join(" or ")}), not ${type || "no content type"}`,
    );
  await next();
};

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: TMF_INTENTS,
      tags: ["tmf921"],
      summary: "TMF921: create an intent",
      operationId: "createIntent",
      middleware: [requireRole("operator"), idempotent()] as const,
      request: { headers: IdempotencyHeader, body: { ...json(TmfIntentInputSchema), required: true } },
      responses: {
        201: { description: "created", headers: { ...LocationHeader, ...ETagHeader }, ...json(TmfIntent) },
        ...tmfErrorResponses(400, 401, 403, 409, 413, 415, 422),
      },
    }),
    async (c) => {
      const deps = c.var.deps;
      const body = c.req.valid("json");
      const intent = await create(
        deps,
        body,
        await rawExpression(c),
        c.var.principal.name,
        c.var.idempotency,
      );
      c.header("Location", `${TMF_INTENTS}/${intent.id}`);
      c.header("ETag", etagOf(intent.revision));
      return c.json(await view(deps, intent), 201);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: TMF_INTENTS,
      tags: ["tmf921"],
      summary: "TMF921: list intents (offset/limit, fields)",
      operationId: "listIntent",
      middleware: [requireRole("viewer")] as const,
      request: { query: ListQuery },
      responses: {
        200: { description: "intents", headers: CountHeaders, ...json(z.array(TmfIntent)) },
        ...tmfErrorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const deps = c.var.deps;
      const { offset, limit, fields } = c.req.valid("query");
      const all: Intent[] = [];
      for (
        let cursor: string | undefined, page;
        all.length < offset + limit;
        cursor = page.nextCursor ?? undefined
      ) {
        page = await deps.store.intents.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        if (!page.nextCursor) break;
      }
      const items = await Promise.all(all.slice(offset, offset + limit).map((i) => view(deps, i)));
      c.header("X-Total-Count", String(await deps.store.intents.count()));
      c.header("X-Result-Count", String(items.length));
      return c.json(
        items.map((i) => select(i, fields)),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: `${TMF_INTENTS}/{id}`,
      tags: ["tmf921"],
      summary: "TMF921: one intent (fields)",
      operationId: "retrieveIntent",
      middleware: [requireRole("viewer")] as const,
      request: { params: IdParam, query: Fields },
      responses: {
        200: { description: "the intent", headers: ETagHeader, ...json(TmfIntent) },
        ...tmfErrorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const i = await c.var.deps.store.intents.get(id);
      if (!i) throw notFound(`intent ${id}`);
      c.header("ETag", etagOf(i.revision));
      return c.json(select(await view(c.var.deps, i), c.req.valid("query").fields), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "patch",
      path: `${TMF_INTENTS}/{id}`,
      tags: ["tmf921"],
      summary:
        "TMF921: change an intent by JSON merge patch (a new revision); If-Match, when sent, must name the current one",
      operationId: "patchIntent",
      middleware: [requireRole("operator"), mergePatchOnly] as const,
      request: {
        params: IdParam,
        headers: z.object({
          "if-match": z.string().optional().openapi({
            description: 'The ETag of the revision being changed (e.g. "3"); with an older one, 409',
          }),
        }),
        body: {
          content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: TmfIntentPatch }])),
          required: true,
        },
      },
      responses: {
        200: { description: "the new revision", headers: ETagHeader, ...json(TmfIntent) },
        ...tmfErrorResponses(400, 401, 403, 404, 409, 413, 415, 422),
      },
    }),
    async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid("param");
      const cur = await deps.store.intents.get(id);
      if (!cur) throw notFound(`intent ${id}`);
      const ifMatch = c.req.header("if-match");
      // The standard's clients send no If-Match: the change then applies to the revision read here.
      const ifRevision = ifMatch ? ifMatchRevision(ifMatch) : cur.revision;
      const body = (await c.req.json()) as Record<string, unknown>;
      const updated = await patch(deps, cur, body, ifRevision, c.var.principal.name);
      c.header("ETag", etagOf(updated.revision));
      return c.json(await view(deps, updated), 200);
    },
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: `${TMF_INTENTS}/{id}`,
      tags: ["tmf921"],
      summary:
        "TMF921: delete an intent: 202 while the sites remove it (asking again answers 202 until then), 204 once it is gone",
      operationId: "deleteIntent",
      middleware: [requireRole("operator")] as const,
      request: { params: IdParam },
      responses: {
        202: { description: "the sites are removing it" },
        204: { description: "deleted" },
        ...tmfErrorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const deps = c.var.deps;
      const { id } = c.req.valid("param");
      const cur = await deps.store.intents.get(id);
      if (!cur) throw notFound(`intent ${id}`);
      if (cur.state === "active") await deleteIntent(deps, id, c.var.principal.name, "tmf921");
      return c.body(null, (await deps.store.intents.get(id)) ? 202 : 204);
    },
  );
}
