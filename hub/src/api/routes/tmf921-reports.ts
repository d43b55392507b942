/** TMF921 IntentReport: an intent's fulfilment reports, newest first, one each time its state changed. */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { IdParam, json, tmfErrorResponses } from "../schemas";
import {
  CountHeaders,
  Fields,
  ListQuery,
  TMF_INTENTS,
  TmfIntentReport,
  select,
  toTmfReport,
} from "../tmf921";

const ReportIds = IdParam.extend({
  reportId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "reportId", in: "path" } }),
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(
    createRoute({
      method: "get",
      path: `${TMF_INTENTS}/{id}/intentReport`,
      tags: ["tmf921"],
      summary: "TMF921: an intent's fulfilment reports, newest first (offset/limit, fields)",
      operationId: "listIntentReport",
      middleware: [requireRole("viewer")] as const,
      request: { params: IdParam, query: ListQuery },
      responses: {
        200: { description: "reports", headers: CountHeaders, ...json(z.array(TmfIntentReport)) },
        ...tmfErrorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { store } = c.var.deps;
      const { id } = c.req.valid("param");
      const { offset, limit, fields } = c.req.valid("query");
      const intent = await store.intents.get(id);
      if (!intent) throw notFound(`intent ${id}`);
      const items = await store.intentReports.list(id, { offset, limit });
      c.header("X-Total-Count", String(await store.intentReports.count(id)));
      c.header("X-Result-Count", String(items.length));
      return c.json(
        items.map((r) => select(toTmfReport(r, intent.name), fields)),
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: `${TMF_INTENTS}/{id}/intentReport/{reportId}`,
      tags: ["tmf921"],
      summary: "TMF921: one fulfilment report (fields)",
      operationId: "retrieveIntentReport",
      middleware: [requireRole("viewer")] as const,
      request: { params: ReportIds, query: Fields },
      responses: {
        200: { description: "the report", ...json(TmfIntentReport) },
        ...tmfErrorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { store } = c.var.deps;
      const { id, reportId } = c.req.valid("param");
      const intent = await store.intents.get(id);
      if (!intent) throw notFound(`intent ${id}`);
      const r = await store.intentReports.get(id, reportId);
      if (!r) throw notFound(`report ${reportId} of intent ${id}`);
      return c.json(select(toTmfReport(r, intent.name), c.req.valid("query").fields), 200);
    },
  );
}
