/** Enrollment: an admin issues a one-time token bound to a site; the site spends it for its own credential. */
import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import { hashToken, newId, newToken } from "../../auth/tokens";
import { HubStoreError } from "../../store";
import type { AppEnv } from "../env";
import { ApiError, ApiErrorCode } from "../errors";
import { idempotent } from "../idempotency";
import {
  IdempotencyHeader,
  EnrollRequest,
  EnrollResponse,
  EnrollmentTokenRequest,
  EnrollmentTokenResponse,
  errorResponses,
} from "../schemas";

const issue = createRoute({
  method: "post",
  path: "/v1/enrollment-tokens",
  tags: ["enrollment"],
  summary: "Issue a one-time, expiring enrollment token bound to a site name and labels",
  middleware: [requireRole("admin")] as const,
  request: { body: { content: { "application/json": { schema: EnrollmentTokenRequest } }, required: true } },
  responses: {
    201: {
      description: "the token (shown once)",
      content: { "application/json": { schema: EnrollmentTokenResponse } },
    },
    ...errorResponses(400, 401, 403),
  },
});

const enroll = createRoute({
  method: "post",
  path: "/v1/enroll",
  tags: ["enrollment"],
  summary: "Spend an enrollment token: the site receives its own credential",
  description: "Takes no bearer token: the enrollment token in the body is the proof.",
  security: [],
  middleware: [idempotent()] as const,
  request: {
    headers: IdempotencyHeader,
    body: { content: { "application/json": { schema: EnrollRequest } }, required: true },
  },
  responses: {
    201: { description: "enrolled", content: { "application/json": { schema: EnrollResponse } } },
    ...errorResponses(400, 401, 409, 413, 415, 422),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(issue, async (c) => {
    const deps = c.var.deps;
    const b = c.req.valid("json");
    const token = newToken("enrollment");
    const expiresAt = new Date(deps.clock.now().getTime() + b.ttlSeconds * 1000).toISOString();
    await deps.store.enrollment.issue({
      id: newId("enr"),
      hash: hashToken(token),
      site: b.site,
      labels: b.labels,
      expiresAt,
      createdBy: c.var.principal.name,
    });
    await deps.store.audit.append({
      actor: c.var.principal.name,
      action: "enrollment.issue",
      target: b.site,
      detail: { expiresAt },
    });
    return c.json({ token, site: b.site, labels: b.labels, expiresAt }, 201);
  });

  app.openapi(enroll, async (c) => {
    const deps = c.var.deps;
    const b = c.req.valid("json");
    const credential = newToken("site");
    let enrolled;
    try {
      enrolled = await deps.store.transaction(async (tx) => {
        const spent = await tx.enrollment.enroll(
          hashToken(b.token),
          deps.clock.now().toISOString(),
          hashToken(credential),
          b.agentVersion ?? null,
        );
        // What the operator bound to the token stands; the site may add labels of its own.
        const site =
          b.labels && Object.keys(b.labels).some((k) => !(k in spent.labels))
            ? await tx.sites.setLabels(spent.id, { ...b.labels, ...spent.labels })
            : spent;
        // What the hub's intents mean for this site now, for its first snapshot; and its broker credentials.
        await tx.desired.retargetSite(site.id);
        return { site, sync: await deps.brokerAccess.issue(tx, site.id, credential) };
      });
    } catch (e: unknown) {
      // One answer for unknown, spent and expired tokens: an attacker learns nothing from the difference.
      if (e instanceof HubStoreError)
        throw new ApiError(401, ApiErrorCode.TokenInvalid, `enrollment refused: ${e.message}`);
      throw e;
    }
    const { site, sync } = enrolled;
    await deps.store.audit.append({
      actor: `site:${site.id}`,
      action: "site.enroll",
      target: site.id,
      detail: { agentVersion: b.agentVersion ?? null, labels: site.labels },
    });
    deps.events.publish({ type: "site.enrolled", id: site.id, at: deps.clock.now().toISOString() });
    return c.json(
      { siteId: site.id, credential, hubUrl: deps.publicUrl, labels: site.labels, ...(sync ? { sync } : {}) },
      201,
    );
  });
}
