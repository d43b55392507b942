/**
 * The HTTP edge's one error model: { error: { code, message, requestId, details? } } — and, on TMF921's
 * routes, the standard's own `Error` resource carrying the same facts.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ApiErrorCode = {
  BadRequest: "BAD_REQUEST",
  Validation: "VALIDATION_FAILED",
  Unauthenticated: "UNAUTHENTICATED",
  Forbidden: "FORBIDDEN",
  NotFound: "NOT_FOUND",
  MethodNotAllowed: "METHOD_NOT_ALLOWED",
  Conflict: "CONFLICT",
  StaleRevision: "STALE_REVISION",
  PreconditionRequired: "PRECONDITION_REQUIRED",
  TooLarge: "PAYLOAD_TOO_LARGE",
  UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  CrossSite: "CROSS_SITE_REFUSED",
  IdempotencyKeyReused: "IDEMPOTENCY_KEY_REUSED",
  PlanRefused: "PLAN_REFUSED",
  SitesConflict: "SITES_CONFLICT",
  UnknownSites: "UNKNOWN_SITES",
  RolloutRefused: "ROLLOUT_REFUSED",
  TokenInvalid: "TOKEN_INVALID",
  Unavailable: "UNAVAILABLE",
  Internal: "INTERNAL",
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string): ApiError =>
  new ApiError(404, ApiErrorCode.NotFound, `${what} not found`);

/** Where the TMF921 routes live: their answers, errors included, are in the standard's shapes. */
export const TMF_ROOT = "/tmf-api/";

/** An error as the route at `path` answers it. */
export function errorBody(path: string, e: ApiError, requestId: string): object {
  const details = e.details !== undefined ? { details: e.details } : {};
  if (path.startsWith(TMF_ROOT))
    return {
      "@type": "Error",
      code: e.code,
      reason: e.message,
      status: String(e.status),
      requestId,
      ...details,
    };
  return { error: { code: e.code, message: e.message, requestId, ...details } };
}
