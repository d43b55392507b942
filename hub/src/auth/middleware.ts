/** Bearer authentication: operator tokens carry a role; site credentials never pass here. */
import type { Context, MiddlewareHandler } from "hono";
import type { Role } from "../store";
import { ROLES } from "../store";
import { ApiError, ApiErrorCode } from "../api/errors";
import type { AppEnv } from "../api/env";
import { TOKEN_PREFIX, hashToken } from "./tokens";

export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}

export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);

/**
 * Who is calling: undefined without an Authorization header; refused (401/403) for a header that is not a
 * live API token — unknown, revoked, expired, or a site's credential.
 */
export async function callerOf(c: Context<AppEnv>): Promise<Principal | undefined> {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m)
    throw new ApiError(401, ApiErrorCode.Unauthenticated, "send an API token: Authorization: Bearer <token>");
  const token = m[1] as string;
  if (token.startsWith(TOKEN_PREFIX.site)) {
    throw new ApiError(403, ApiErrorCode.Forbidden, "site credentials cannot call the operator API");
  }
  const { store, clock } = c.var.deps;
  const hash = hashToken(token);
  const found = await store.tokens.byHash(hash);
  if (!found || found.revokedAt)
    throw new ApiError(401, ApiErrorCode.Unauthenticated, "unknown or revoked API token");
  const now = clock.now();
  if (found.expiresAt && Date.parse(found.expiresAt) <= now.getTime())
    throw new ApiError(401, ApiErrorCode.Unauthenticated, `this API token expired at ${found.expiresAt}`);
  await store.tokens.touch(hash, now);
  return { id: found.id, name: found.name, role: found.role };
}

export function requireRole(need: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = await callerOf(c);
    if (!caller)
      throw new ApiError(
        401,
        ApiErrorCode.Unauthenticated,
        "send an API token: Authorization: Bearer <token>",
      );
    if (!roleAtLeast(caller.role, need)) {
      throw new ApiError(
        403,
        ApiErrorCode.Forbidden,
        `this needs the ${need} role; the token has ${caller.role}`,
      );
    }
    c.set("principal", caller);
    await next();
  };
}
