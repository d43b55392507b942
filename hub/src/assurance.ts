/**
 * What the hub makes of the assurance in sites' reports, once they are committed: each site's worst
 * expectation as an event, each closed-loop action audited (once: the report made with it carries its
 * time), and a new fulfilment report of the intent (TMF921 IntentReport) each time its state across the
 * sites changes.
 */
import type { SiteIntentReport } from "@nephoran/shared";
import { FULFILMENT_SEVERITY, worstFulfilment } from "@nephoran/shared";
import { newId } from "./auth/tokens";
import type { HubDeps } from "./deps";
import type { IntentReportRecord } from "./store";

/** How many of the worst sites a fulfilment report names. */
const WORST = 10;

export async function onReports(
  deps: Pick<HubDeps, "store" | "events" | "clock" | "logger">,
  reports: readonly SiteIntentReport[],
): Promise<void> {
  const assured = new Set<string>();
  for (const r of reports) {
    for (const x of r.remediations ?? [])
      if (x.at === r.observedAt)
        await deps.store.audit.append({
          actor: `site:${r.siteId}`,
          action: "assurance.remediate",
          target: r.intentId,
          detail: { site: r.siteId, revision: r.revision, ...x },
        });
    const worst = r.expectations && worstFulfilment(r.expectations);
    if (!worst) continue;
    assured.add(r.intentId);
    deps.events.publish({
      type: "intent.fulfilment",
      id: r.intentId,
      revision: r.revision,
      site: r.siteId,
      fulfilment: worst,
      at: r.observedAt,
    });
  }
  for (const id of assured) {
    const made = await assess(deps, id);
    if (made)
      deps.events.publish({
        type: "intent.report",
        id,
        reportId: made.id,
        fulfilment: made.state,
        at: made.createdAt,
      });
  }
}

/** The intent's state across its sites now (the worst any site is in); a new report if it changed. */
export async function assess(
  deps: Pick<HubDeps, "store" | "clock">,
  intentId: string,
): Promise<IntentReportRecord | undefined> {
  const tally = await deps.store.reports.fulfilment({ intentId, cap: WORST });
  const state = FULFILMENT_SEVERITY.find((s) => (tally.counts[s] ?? 0) > 0);
  if (!state) return undefined;
  return deps.store.intentReports.addIfChanged({
    intentId,
    id: newId("irp"),
    state,
    body: { counts: tally.counts, worst: tally.worst },
    createdAt: deps.clock.now().toISOString(),
  });
}
