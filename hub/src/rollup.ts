/** How an intent's rollout stands across the sites it is desired at, and what presence means. */
import type { Fulfilment, Intent, RollupPhase } from "@nephoran/shared";
import { FULFILMENT_SEVERITY, PHASE_SEVERITY } from "@nephoran/shared";
import type { FulfilmentTally, HubRepos, RollupTally, SiteRecord } from "./store";

/**
 * Presence, one definition for the API, the metrics, the rollup and the sync service: a site is online when
 * it was heard from within `timeoutMs` and has not said it was going since.
 */
export function onlineAt(
  lastSeenMs: number | null,
  goneMs: number | null,
  nowMs: number,
  timeoutMs: number,
): boolean {
  return lastSeenMs !== null && nowMs - lastSeenMs <= timeoutMs && (goneMs === null || goneMs < lastSeenMs);
}

/** The same definition as a cutoff, for the store to compare with: heard from since this (ISO time) is online. */
export const onlineSince = (now: Date, timeoutMs: number): string =>
  new Date(now.getTime() - timeoutMs).toISOString();

/** How many intents the hub holds in each state, every intent read once a page at a time. */
export async function intentsByState(store: Pick<HubRepos, "intents">): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let cursor: string | undefined, page; ; cursor = page.nextCursor ?? undefined) {
    page = await store.intents.list({ limit: 500, ...(cursor ? { cursor } : {}) });
    for (const i of page.items) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
    if (!page.nextCursor) return counts;
  }
}

export function presenceOf(
  site: Pick<SiteRecord, "lastSeen" | "goneAt">,
  now: Date,
  timeoutMs: number,
): "online" | "offline" {
  const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
  return onlineAt(ms(site.lastSeen), ms(site.goneAt), now.getTime(), timeoutMs) ? "online" : "offline";
}

export interface Rollup {
  readonly revision: number;
  readonly targetedSites: number;
  readonly counts: Record<RollupPhase, number>;
  /**
   * Sites with nothing left to wait for: Ready, or Applied by a target that cannot observe readiness
   * (a directory, GitOps — their Ready condition is Unknown).
   */
  readonly settled: number;
  /** The phase needing most attention among the targeted sites. */
  readonly worst: RollupPhase | null;
  /** Sites that are not Ready, worst first, capped. */
  readonly notReady: { siteId: string; phase: RollupPhase; message?: string }[];
  readonly notReadyTruncated: boolean;
  /**
   * For an intent with expectations: the targeted sites by the worst state among their expectations at the
   * current revision (sites that have not reported one are not counted), and the worst sites with what they
   * measured.
   */
  readonly fulfilment?: {
    readonly counts: Record<Fulfilment, number>;
    readonly worst: FulfilmentTally["worst"];
    readonly worstTruncated: boolean;
  };
}

/**
 * The rollout across the sites the intent is desired at, counted by the store (in SQL, however many sites);
 * reports are read only for the sites listed (worst first, capped), for their messages.
 */
export async function rollup(
  intent: Intent,
  store: Pick<HubRepos["reports"], "rollup" | "messages" | "fulfilment">,
  now: Date,
  presenceTimeoutMs: number,
  cap = 50,
): Promise<Rollup> {
  const tally = await store.rollup({
    intentId: intent.id,
    revision: intent.revision,
    removing: intent.state === "deleting",
    onlineSince: onlineSince(now, presenceTimeoutMs),
    cap,
  });
  const counts = Object.fromEntries(PHASE_SEVERITY.map((p) => [p, tally.counts[p] ?? 0])) as Record<
    RollupPhase,
    number
  >;
  const shown = tally.notReady.slice(0, cap);
  // Offline, and Pending for want of a current report, are the hub's findings; the rest speak by the report.
  const fromReport = (x: RollupTally["notReady"][number]) =>
    x.phase !== "Offline" && x.reportedRevision !== null && x.reportedRevision >= intent.revision;
  const said = await store.messages(
    intent.id,
    shown.filter(fromReport).map((x) => x.siteId),
  );
  return {
    revision: intent.revision,
    targetedSites: Object.values(counts).reduce((a, b) => a + b, 0),
    counts,
    settled: tally.settled,
    worst: PHASE_SEVERITY.find((p) => counts[p] > 0) ?? null,
    notReady: shown.map((x) => {
      const { siteId, phase, lastSeen, reportedRevision } = x;
      const m = fromReport(x)
        ? said.get(siteId)
        : phase === "Offline"
          ? lastSeen
            ? `not heard from since ${lastSeen}`
            : "never heard from"
          : reportedRevision !== null
            ? `reported revision ${reportedRevision}, wants ${intent.revision}`
            : "no report yet";
      return m === undefined ? { siteId, phase } : { siteId, phase, message: m };
    }),
    notReadyTruncated: tally.notReady.length > cap,
    ...(intent.plan.expectations?.length ? { fulfilment: await fulfilmentOf(intent, store, cap) } : {}),
  };
}

async function fulfilmentOf(
  intent: Intent,
  store: Pick<HubRepos["reports"], "fulfilment">,
  cap: number,
): Promise<NonNullable<Rollup["fulfilment"]>> {
  const t = await store.fulfilment({ intentId: intent.id, cap: cap + 1 });
  return {
    counts: Object.fromEntries(FULFILMENT_SEVERITY.map((s) => [s, t.counts[s] ?? 0])) as Record<
      Fulfilment,
      number
    >,
    worst: t.worst.slice(0, cap),
    worstTruncated: t.worst.length > cap,
  };
}
