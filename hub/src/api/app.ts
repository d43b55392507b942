/** The hub's HTTP API: Hono with zod-validated routes and an OpenAPI document generated from them. */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { crossSiteRefusal, CrossSiteRefusal, inspectJson, Traceparent, tracing } from "@nephoran/shared";
import { IntentError, IntentErrorCode } from "../intents";
import { RolloutError, RolloutErrorCode } from "../rollouts/errors";
import { HubStoreError, StoreErrorCode } from "../store";
import type { AppEnv, HubDeps } from "./env";
import { ApiError, ApiErrorCode, errorBody, TMF_ROOT } from "./errors";
import { ErrorBody, TmfError } from "./schemas";
import * as audit from "./routes/audit";
import * as enrollment from "./routes/enrollment";
import * as docs from "./routes/docs";
import * as events from "./routes/events";
import * as metrics from "./routes/metrics";
import * as tmf921 from "./routes/tmf921";
import * as tmf921Hub from "./routes/tmf921-hub";
import * as tmf921Reports from "./routes/tmf921-reports";
import * as health from "./routes/health";
import * as intentsCreate from "./routes/intents-create";
import * as intentsDelete from "./routes/intents-delete";
import * as intentsGet from "./routes/intents-get";
import * as intentsList from "./routes/intents-list";
import * as intentsPatch from "./routes/intents-patch";
import * as plan from "./routes/plan";
import * as rollouts from "./routes/rollouts";
import * as sitesDelete from "./routes/sites-delete";
import * as sitesGet from "./routes/sites-get";
import * as sitesList from "./routes/sites-list";
import * as sitesPatch from "./routes/sites-patch";
import * as sitesResync from "./routes/sites-resync";
import * as apiTokens from "./routes/tokens";
import * as session from "./routes/session";
import * as fleet from "./routes/fleet";
import * as ui from "./routes/ui";

export const MAX_BODY_BYTES = 1024 * 1024;

// Domain errors become HTTP answers here, and only here: each code's status and API code.
const INTENT_ANSWER = {
  [IntentErrorCode.PlanRefused]: [422, ApiErrorCode.PlanRefused],
  [IntentErrorCode.SitesConflict]: [422, ApiErrorCode.SitesConflict],
  [IntentErrorCode.UnknownSites]: [422, ApiErrorCode.UnknownSites],
  [IntentErrorCode.NoSites]: [400, ApiErrorCode.Validation],
} as const;
const ROLLOUT_ANSWER = {
  [RolloutErrorCode.Refused]: [422, ApiErrorCode.RolloutRefused],
  [RolloutErrorCode.None]: [404, ApiErrorCode.NotFound],
  [RolloutErrorCode.State]: [409, ApiErrorCode.Conflict],
} as const;
const STORE_ANSWER = {
  [StoreErrorCode.NotFound]: [404, ApiErrorCode.NotFound],
  [StoreErrorCode.Conflict]: [409, ApiErrorCode.Conflict],
  [StoreErrorCode.Stale]: [409, ApiErrorCode.StaleRevision],
  [StoreErrorCode.Invalid]: [400, ApiErrorCode.BadRequest],
  [StoreErrorCode.Unavailable]: [503, ApiErrorCode.Unavailable],
} as const;

/**
 * The answers every route can give because of the middleware in front of it, declared in one place so the
 * document is the contract: 400 for any input that fails validation, 413 and 415 for any body, 401 and 403
 * where a token is checked, 403 for a cross-site request that changes state.
 */
function declareCommonAnswers(app: OpenAPIHono<AppEnv>): void {
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== "route") continue;
    const r = d.route;
    const schema = r.path.startsWith(TMF_ROOT) ? TmfError : ErrorBody;
    const error = { description: "error", content: { "application/json": { schema } } };
    const add = (code: number) => {
      r.responses[code] ??= error;
    };
    const takesInput = Boolean(
      r.request?.params || r.request?.query || r.request?.body || r.request?.headers,
    );
    if (takesInput) add(400);
    if (r.request?.body) [413, 415].forEach(add);
    // Every route takes the document's bearer token unless it says it needs none (security: []).
    if (r.security === undefined || r.security.length > 0) [401, 403].forEach(add);
    if (r.method !== "get") add(403);
  }
}

/** The methods registered for a path (routes with parameters match any value in their place). */
function methodsFor(app: OpenAPIHono<AppEnv>, path: string): string[] {
  const methods = new Set<string>();
  for (const r of app.routes) {
    if (r.method === "ALL" || r.path === "*" || r.path === "/*") continue;
    const pattern = new RegExp(`^${r.path.replace(/:[^/]+/g, "[^/]+").replace(/[.]/g, "\\.")}$`);
    if (pattern.test(path)) methods.add(r.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

const tooLarge = (): ApiError =>
  new ApiError(413, ApiErrorCode.TooLarge, `the request body is larger than ${MAX_BODY_BYTES} bytes`);

export function createApp(deps: HubDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        throw new ApiError(
          400,
          ApiErrorCode.Validation,
          issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
          { issues },
        );
      }
    },
  });

  app.use("*", requestId());
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    await next();
  });
  app.use("*", async (c, next) => {
    const started = performance.now();
    // A span per request, named by its route once routed, continuing the caller's trace when it sends a
    // valid W3C traceparent.
    const parent = tracing().enabled ? Traceparent.safeParse(c.req.header("traceparent")).data : undefined;
    await tracing().span(
      `${c.req.method} ${c.req.path}`,
      { "http.request.method": c.req.method, "url.path": c.req.path },
      async (rename) => {
        await next();
        if (c.req.routePath) rename(`${c.req.method} ${c.req.routePath}`);
      },
      parent,
    );
    const route = c.req.routePath || "unmatched";
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.metrics.httpDuration.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
  });
  // State-changing requests are JSON and never come from another web site (no cross-site request forgery).
  app.use("*", async (c, next) => {
    const refused = crossSiteRefusal({
      method: c.req.method,
      url: c.req.url,
      header: (n) => c.req.header(n),
    });
    if (refused)
      throw refused.code === CrossSiteRefusal.NotJson
        ? new ApiError(415, ApiErrorCode.UnsupportedMediaType, refused.message)
        : new ApiError(403, ApiErrorCode.CrossSite, refused.message);
    await next();
  });
  // A body's size is checked by its Content-Length when it has one (the HTTP parser reads no more than that),
  // so the body is then read straight from the connection; a chunked one is counted as it streams.
  const streamedLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  app.use("*", async (c, next) => {
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined)
      return streamedLimit(c, next);
    if (Number(length) > MAX_BODY_BYTES) throw tooLarge();
    await next();
  });

  // A JSON body is parsed once, here: refused for a __proto__ key or a lone surrogate anywhere, and handed
  // to the route's validator as parsed.
  app.use("*", async (c, next) => {
    if (c.req.header("content-type")?.includes("json")) {
      const { value, problem } = inspectJson(await c.req.text());
      if (problem) throw new ApiError(400, ApiErrorCode.Validation, problem);
      if (value !== undefined) c.req.bodyCache.json = Promise.resolve(value);
    }
    await next();
  });

  app.onError((err, c) => {
    const requestIdValue = c.var.requestId ?? "";
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof HubStoreError) {
      const [status, code] = STORE_ANSWER[err.code];
      e = new ApiError(status, code, err.message);
    } else if (err instanceof IntentError) {
      const [status, code] = INTENT_ANSWER[err.code];
      e = new ApiError(status, code, err.message, err.details);
    } else if (err instanceof RolloutError) {
      const [status, code] = ROLLOUT_ANSWER[err.code];
      e = new ApiError(status, code, err.message);
    } else if (err instanceof HTTPException) {
      e = new ApiError(
        err.status === 400 ? 400 : (err.status as 400),
        ApiErrorCode.BadRequest,
        err.message || "bad request",
      );
    } else {
      deps.logger.error({ err, requestId: requestIdValue }, "unhandled error");
      e = new ApiError(500, ApiErrorCode.Internal, "internal error; the request id is in the logs");
    }
    return c.json(errorBody(c.req.path, e, requestIdValue), e.status);
  });
  app.notFound((c) => {
    // A path the API has, with a method it does not take: 405 and the methods it does.
    const allowed = methodsFor(app, c.req.path);
    if (allowed.length) c.header("Allow", allowed.join(", "));
    const e = allowed.length
      ? new ApiError(
          405,
          ApiErrorCode.MethodNotAllowed,
          `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(", ")}`,
        )
      : new ApiError(404, ApiErrorCode.NotFound, `no route ${c.req.method} ${c.req.path}`);
    return c.json(errorBody(c.req.path, e, c.var.requestId ?? ""), e.status);
  });

  for (const r of [
    health,
    plan,
    intentsCreate,
    intentsList,
    intentsGet,
    intentsPatch,
    intentsDelete,
    rollouts,
    sitesList,
    sitesGet,
    sitesPatch,
    sitesResync,
    sitesDelete,
    enrollment,
    apiTokens,
    audit,
    events,
    tmf921,
    tmf921Reports,
    tmf921Hub,
    metrics,
    session,
    fleet,
  ]) {
    r.register(app);
  }

  declareCommonAnswers(app);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Nephoran Edge hub API",
      version: "0.1.0",
      description: "Fleet intents, sites and enrollment",
    },
    security: [{ bearer: [] }],
  });
  docs.register(app);
  ui.register(app);
  return app;
}
