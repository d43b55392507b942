/**
 * The fleet at a glance, for the console's first page: sites by presence, grouped by one label (a region)
 * with each group's health, the sites that need attention first (offline, then furthest behind), and the
 * intents by state and by the worst phase across their sites — one answer, computed here, so the page needs
 * one request whatever the fleet's size.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireRole } from "../../auth/middleware";
import { intentsByState, onlineSince, presenceOf } from "../../rollup";
import type { SiteRecord } from "../../store";
import type { AppEnv } from "../env";
import { errorResponses, json, SiteView } from "../schemas";
import { siteView } from "../views";

const ATTENTION = 20;

const Count = z.object({ total: z.number().int(), online: z.number().int(), offline: z.number().int() });
const FleetView = z
  .object({
    sites: Count,
    groupBy: z.string(),
    groups: z.array(
      Count.extend({ value: z.string().describe("the label's value; empty: sites without it") }),
    ),
    attention: z
      .array(SiteView)
      .describe("offline sites first, then the ones furthest behind what they should run"),
    intents: z.object({
      total: z.number().int(),
      byState: z.record(z.string(), z.number().int()),
      byPhase: z
        .record(z.string(), z.number().int())
        .describe("active intents by the worst phase across the sites they target (presence counted)"),
    }),
  })
  .openapi("Fleet");

const route = createRoute({
  method: "get",
  path: "/v1/fleet",
  tags: ["sites"],
  summary:
    "The fleet at a glance: sites by presence and by a label's value, those needing attention, intents by state",
  middleware: [requireRole("viewer")] as const,
  request: {
    query: z.strictObject({
      groupBy: z
        .string()
        .min(1)
        .max(63)
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "a label key")
        .default("region"),
    }),
  },
  responses: { 200: { description: "the fleet", ...json(FleetView) }, ...errorResponses(400, 401, 403) },
});

export function register(app: OpenAPIHono<AppEnv>): void {
  app.openapi(route, async (c) => {
    const { groupBy } = c.req.valid("query");
    const deps = c.var.deps;
    const now = deps.clock.now();
    const sites = { total: 0, online: 0, offline: 0 };
    const groups = new Map<string, { total: number; online: number; offline: number }>();
    const attention: { site: SiteRecord; offline: boolean; behind: number }[] = [];
    for (const s of await deps.store.sites.all()) {
      const presence = presenceOf(s, now, deps.presenceTimeoutMs);
      const value = s.labels[groupBy] ?? "";
      const g = groups.get(value) ?? { total: 0, online: 0, offline: 0 };
      groups.set(value, g);
      for (const n of [sites, g]) {
        n.total++;
        n[presence]++;
      }
      const behind = Math.max(0, s.desiredVersion - s.reportedVersion);
      if (presence === "offline" || behind > 0)
        attention.push({ site: s, offline: presence === "offline", behind });
    }
    attention.sort(
      (a, b) =>
        Number(b.offline) - Number(a.offline) || b.behind - a.behind || a.site.id.localeCompare(b.site.id),
    );
    const byState = Object.fromEntries(await intentsByState(deps.store));
    const total = Object.values(byState).reduce((a, n) => a + n, 0);
    const byPhase: Record<string, number> = {};
    const since = onlineSince(now, deps.presenceTimeoutMs);
    for (const phase of (await deps.store.reports.worstPhases(since)).values())
      byPhase[phase] = (byPhase[phase] ?? 0) + 1;
    return c.json(
      {
        sites,
        groupBy,
        groups: [...groups]
          .map(([value, n]) => ({ value, ...n }))
          .sort((a, b) => a.value.localeCompare(b.value)),
        attention: attention.slice(0, ATTENTION).map((a) => siteView(deps, a.site)),
        intents: { total, byState, byPhase },
      },
      200,
    );
  });
}
