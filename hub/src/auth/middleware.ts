/** Bearer authentication: operator tokens carry a role; site credentials never pass here. */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Role } from "../store";
import { ROLES } from "../store";
import { ApiError, ApiErrorCode } from "../api/errors";
import type { AppEnv } from "../api/env";
import { TOKEN_PREFIX, hashToken } from "./tokens";

export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** A console session (`POST /v1/session`), not an API token. */
  readonly session?: true;
}

export const roleAtLeast = (have: Role, need: Role): boolean => ROLES.indexOf(have) >= ROLES.indexOf(need);

/**
 * The console's session cookie, and how its API token's name begins (then the signed-in token's name; a
 * colon, which API token names cannot hold, keeps it apart).
 */
export const SESSION_COOKIE = "nephoran_session";
export const SESSION_NAME = "console session: ";

const SEND_TOKEN = "send an API token: Authorization: Bearer <token>";

/**
 * Who is calling: the Authorization header's token, else the console session's cookie; undefined with
 * neither. Refused (401/403) for one that is not a live API token — unknown, revoked, expired, or a site's
 * credential.
 */
export async function callerOf(c: Context<AppEnv>): Promise<Principal | undefined> {
  const header = c.req.header("authorization");
  if (header === undefined) {
    const session = getCookie(c, SESSION_COOKIE);
    return session === undefined ? undefined : principalOf(c, session);
  }
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new ApiError(401, ApiErrorCode.Unauthenticated, SEND_TOKEN);
  return principalOf(c, m[1] as string);
}

/** Who holds `token` (else who is calling, and refused without anyone): a live API token's principal. */
export async function principalOf(c: Context<AppEnv>, token?: string): Promise<Principal> {
  if (token === undefined) {
    const caller = await callerOf(c);
    if (!caller) throw new ApiError(401, ApiErrorCode.Unauthenticated, SEND_TOKEN);
    return caller;
  }
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
  // A session acts as the one who opened it.
  return found.name.startsWith(SESSION_NAME)
    ? { id: found.id, name: found.name.slice(SESSION_NAME.length), role: found.role, session: true }
    : { id: found.id, name: found.name, role: found.role };
}

export function requireRole(need: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = await principalOf(c);
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
