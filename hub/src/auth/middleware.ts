/** Bearer authentication: operator tokens carry a role; site credentials never pass here. */
import type { MiddlewareHandler } from "hono";
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

export function requireRole(need: Role): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m)
      throw new ApiError(
        401,
        ApiErrorCode.Unauthenticated,
        "send an API token: Authorization: Bearer <token>",
      );
    const token = m[1] as string;
    if (token.startsWith(TOKEN_PREFIX.site)) {
      throw new ApiError(403, ApiErrorCode.Forbidden, "site credentials cannot call the operator API");
    }
    const found = c.var.deps.store.tokenByHash(hashToken(token));
    if (!found) throw new ApiError(401, ApiErrorCode.Unauthenticated, "unknown or revoked API token");
    if (!roleAtLeast(found.role, need)) {
      throw new ApiError(
        403,
        ApiErrorCode.Forbidden,
        `this needs the ${need} role; the token has ${found.role}`,
      );
    }
    c.set("principal", { id: found.id, name: found.name, role: found.role });
    await next();
  };
}
