/**
 * Console sessions: an API token is traded once for a session the hub keeps — an expiring, revocable token
 * of the same role, held only in an HttpOnly, SameSite=Strict cookie — so the token the operator typed never
 * sits in page storage. The session is an API token named `console session: NAME`: it shows in
 * `GET /v1/tokens` and an admin can revoke it there too.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { deleteCookie, setCookie } from "hono/cookie";
import { principalOf, requireRole, SESSION_COOKIE, SESSION_NAME } from "../../auth/middleware";
import { issueApiToken } from "../../auth/tokens";
import { ROLES } from "../../store";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode } from "../errors";
import { errorResponses, json } from "../schemas";

/** How long a console session lasts. */
export const SESSION_SECONDS = 12 * 3600;

const SessionView = z
  .object({
    name: z.string().describe("the API token's name the session was opened with"),
    role: z.enum(ROLES),
    expiresAt: z.string().nullable(),
  })
  .openapi("Session");

const open = createRoute({
  method: "post",
  path: "/v1/session",
  tags: ["session"],
  summary: "Open a console session with an API token: the answer sets an HttpOnly, SameSite=Strict cookie",
  security: [],
  request: {
    body: {
      ...json(z.strictObject({ token: z.string().min(1).max(200).describe("an API token") })),
      required: true,
    },
  },
  responses: {
    201: { description: "opened; the cookie carries it", ...json(SessionView) },
    ...errorResponses(400, 401, 403, 413, 415),
  },
});
const who = createRoute({
  method: "get",
  path: "/v1/session",
  tags: ["session"],
  summary: "Who the session (or the bearer token) is",
  middleware: [requireRole("viewer")] as const,
  responses: { 200: { description: "the caller", ...json(SessionView) }, ...errorResponses(401, 403) },
});
const close = createRoute({
  method: "delete",
  path: "/v1/session",
  tags: ["session"],
  summary: "Sign out: the session is revoked at once and its cookie cleared",
  security: [],
  responses: { 204: { description: "closed (or there was none)" }, ...errorResponses(403) },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(open, async (c) => {
    const { store, clock } = c.var.deps;
    const caller = await principalOf(c, c.req.valid("json").token);
    if (caller.session)
      throw new ApiError(
        400,
        ApiErrorCode.BadRequest,
        "open a session with an API token, not another session",
      );
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_SECONDS * 1000).toISOString();
    const { stored, token } = await issueApiToken(store.tokens, {
      name: `${SESSION_NAME}${caller.name}`,
      role: caller.role,
      createdBy: caller.name,
      expiresAt,
    });
    await store.audit.append({
      actor: caller.name,
      action: "session.open",
      target: stored.id,
      detail: { expiresAt },
    });
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: SESSION_SECONDS,
      secure: new URL(c.req.url).protocol === "https:",
    });
    return c.json({ name: caller.name, role: caller.role, expiresAt }, 201);
  });

  app.openapi(who, async (c) => {
    const p = c.var.principal;
    const t = await c.var.deps.store.tokens.get(p.id);
    return c.json({ name: p.name, role: p.role, expiresAt: t?.expiresAt ?? null }, 200);
  });

  app.openapi(close, async (c) => {
    const { store } = c.var.deps;
    const caller = await principalOf(c).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 401) return undefined;
      throw e;
    });
    if (caller?.session) {
      await store.tokens.revoke(caller.id);
      await store.audit.append({ actor: caller.name, action: "session.close", target: caller.id });
    } else if (caller)
      throw new ApiError(
        403,
        ApiErrorCode.Forbidden,
        "this is an API token, not a session: revoke it with DELETE /v1/tokens/{id}",
      );
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });
}
