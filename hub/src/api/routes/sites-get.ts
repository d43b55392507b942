import { createRoute } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ExpectationStatus, Remediation, RollupPhase } from "@nephoran/shared";
import { requireRole } from "../../auth/middleware";
import { isLocalIntentId } from "@nephoran/shared";
import { presenceOf } from "../../rollup";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { IdParam, SiteDetail, errorResponses } from "../schemas";
import { siteView } from "../views";

const route = createRoute({
  method: "get",
  path: "/v1/sites/{id}",
  tags: ["sites"],
  summary: "One site: labels, presence, versions, sync lag, and the intents it runs with their phases",
  middleware: [requireRole("viewer")] as const,
  request: { params: IdParam },
  responses: {
    200: { description: "the site", content: { "application/json": { schema: SiteDetail } } },
    ...errorResponses(401, 403, 404),
  },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const deps = c.var.deps;
    const site = await deps.store.sites.get(c.req.valid("param").id);
    if (!site) throw notFound(`site ${c.req.valid("param").id}`);
    const reports = new Map((await deps.store.reports.forSite(site.id)).map((r) => [r.intentId, r]));
    const offline = presenceOf(site, deps.clock.now(), deps.presenceTimeoutMs) === "offline";
    const intents: {
      intentId: string;
      revision: number;
      phase: RollupPhase;
      reportedRevision: number | null;
      expectations?: ExpectationStatus[];
      remediations?: Remediation[];
    }[] = [];
    // What the site is to run: its desired set, the table sync serves it from.
    for (const d of await deps.store.desired.set(site.id)) {
      const r = reports.get(d.id);
      const phase: RollupPhase = offline ? "Offline" : r && r.revision >= d.revision ? r.phase : "Pending";
      // How its expectations stand there, and what the site's closed loop changed, as the site last said.
      const assured = r && r.revision >= d.revision ? r : undefined;
      intents.push({
        intentId: d.id,
        revision: d.revision,
        phase,
        reportedRevision: r?.revision ?? null,
        ...(assured?.expectations ? { expectations: assured.expectations } : {}),
        ...(assured?.remediations ? { remediations: assured.remediations } : {}),
      });
    }
    // The intents made at the site itself, by their own id space (never a fleet intent the hub let go).
    const localIntents = [...reports.values()]
      .filter((r) => isLocalIntentId(r.intentId))
      .map((r) => ({
        intentId: r.intentId,
        revision: r.revision,
        phase: r.phase,
        observedAt: r.observedAt,
      }));
    return c.json({ ...siteView(deps, site), intents, localIntents }, 200);
  });
}
