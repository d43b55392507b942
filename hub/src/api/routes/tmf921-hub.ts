/**
 * TMF921 notifications: a listener registers a callback (`POST /hub`, with an optional `eventType=` query)
 * and gets, signed, IntentStatusChangeEvent and IntentReportCreateEvent (see notify/notifier.ts); `DELETE`
 * ends it.
 */
import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import { newId, newToken } from "../../auth/tokens";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { IdParam, LocationHeader, tmfErrorResponses, json } from "../schemas";
import { TMF_HUB, TmfHub, TmfHubInput, toTmfHub } from "../tmf921";

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "post",
      path: TMF_HUB,
      tags: ["tmf921"],
      summary:
        "TMF921: register a listener for intent notifications (the answer carries the signing secret, once)",
      operationId: "registerListener",
      middleware: [requireRole("operator")] as const,
      request: { body: { ...json(TmfHubInput), required: true } },
      responses: {
        201: { description: "registered", headers: LocationHeader, ...json(TmfHub) },
        ...tmfErrorResponses(400, 401, 403, 413, 415),
      },
    }),
    async (c) => {
      const { callback, query } = c.req.valid("json");
      const l = await c.var.deps.store.listeners.add({
        id: newId("hub"),
        callback,
        query: query || null,
        secret: newToken("signing"),
        createdBy: c.var.principal.name,
      });
      await c.var.deps.store.audit.append({
        actor: c.var.principal.name,
        action: "listener.register",
        target: l.id,
        detail: { callback: l.callback, query: l.query },
      });
      c.header("Location", `${TMF_HUB}/${l.id}`);
      return c.json(toTmfHub(l, true), 201);
    },
  );
  app.openapi(
    createRoute({
      method: "delete",
      path: `${TMF_HUB}/{id}`,
      tags: ["tmf921"],
      summary: "TMF921: unregister a listener",
      operationId: "unregisterListener",
      middleware: [requireRole("operator")] as const,
      request: { params: IdParam },
      responses: { 204: { description: "unregistered" }, ...tmfErrorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await c.var.deps.store.listeners.get(id))) throw notFound(`listener ${id}`);
      await c.var.deps.store.listeners.remove(id);
      await c.var.deps.store.audit.append({
        actor: c.var.principal.name,
        action: "listener.unregister",
        target: id,
      });
      return c.body(null, 204);
    },
  );
}
