/** API tokens: an admin issues them by role (optionally expiring), lists them, and revokes them at once. */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole, SESSION_NAME } from "../../auth/middleware";
import { issueApiToken } from "../../auth/tokens";
import type { ApiToken } from "../../store";
import { ROLES } from "../../store";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode, notFound } from "../errors";
import { IdParam, errorResponses } from "../schemas";

const TokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe("Updated at most once a minute"),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiToken");

const CreateTokenRequest = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@-]*$/, "letters, digits, space and . _ @ -"),
  role: z.enum(ROLES),
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(366 * 86_400)
    .optional()
    .describe("The token stops working this long after it is made; without it, it lasts until revoked"),
});

const create = createRoute({
  method: "post",
  path: "/v1/tokens",
  tags: ["tokens"],
  summary: "Issue an API token with a role (viewer, operator, admin); the token is shown once",
  middleware: [requireRole("admin")] as const,
  request: { body: { content: { "application/json": { schema: CreateTokenRequest } }, required: true } },
  responses: {
    201: {
      description: "issued",
      content: { "application/json": { schema: TokenView.extend({ token: z.string() }) } },
    },
    ...errorResponses(400, 401, 403, 413, 415),
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/tokens",
  tags: ["tokens"],
  summary: "List API tokens (never the tokens themselves)",
  middleware: [requireRole("admin")] as const,
  responses: {
    200: {
      description: "every token, revoked ones included",
      content: { "application/json": { schema: z.object({ items: z.array(TokenView) }) } },
    },
    ...errorResponses(401, 403),
  },
});

const revoke = createRoute({
  method: "delete",
  path: "/v1/tokens/{id}",
  tags: ["tokens"],
  summary: "Revoke an API token: the next request with it is refused",
  middleware: [requireRole("admin")] as const,
  request: { params: IdParam },
  responses: {
    200: { description: "revoked", content: { "application/json": { schema: TokenView } } },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const view = (t: ApiToken) => ({ ...t });

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(create, async (c) => {
    const { store, clock } = c.var.deps;
    const b = c.req.valid("json");
    const expiresAt =
      b.ttlSeconds !== undefined
        ? new Date(clock.now().getTime() + b.ttlSeconds * 1000).toISOString()
        : undefined;
    const { stored, token } = await issueApiToken(store.tokens, {
      name: b.name,
      role: b.role,
      createdBy: c.var.principal.name,
      ...(expiresAt ? { expiresAt } : {}),
    });
    await store.audit.append({
      actor: c.var.principal.name,
      action: "token.create",
      target: stored.id,
      detail: { name: b.name, role: b.role, expiresAt: expiresAt ?? null },
    });
    return c.json({ ...view(stored), token }, 201);
  });

  app.openapi(list, async (c) => c.json({ items: (await c.var.deps.store.tokens.list()).map(view) }, 200));

  app.openapi(revoke, async (c) => {
    const { store } = c.var.deps;
    const id = c.req.valid("param").id;
    const target = await store.tokens.get(id);
    if (!target) throw notFound(`API token ${id}`);
    // A console session does not count: it ends within hours.
    const admins = (await store.tokens.list()).filter(
      (t) => t.role === "admin" && !t.revokedAt && !t.name.startsWith(SESSION_NAME),
    );
    if (target.role === "admin" && !target.revokedAt && admins.length === 1)
      throw new ApiError(
        409,
        ApiErrorCode.Conflict,
        "this is the last admin token: issue another admin token first, or nobody could manage the hub",
      );
    const revoked = await store.tokens.revoke(id);
    await store.audit.append({
      actor: c.var.principal.name,
      action: "token.revoke",
      target: id,
      detail: { name: revoked.name },
    });
    return c.json(view(revoked), 200);
  });
}
