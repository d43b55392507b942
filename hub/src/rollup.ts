/** How an intent's rollout stands across the sites it is desired at, and what presence means. Pure. */
import type { Intent, RollupPhase, SiteIntentReport } from "@nephoran/shared";
import { PHASE_SEVERITY } from "@nephoran/shared";
import type { SiteRecord } from "./store";

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

export function presenceOf(
  site: Pick<SiteRecord, "lastSeen" | "goneAt">,
  now: Date,
  timeoutMs: number,
): "online" | "offline" {
  const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
  return onlineAt(ms(site.lastSeen), ms(site.goneAt), now.getTime(), timeoutMs) ? "online" : "offline";
}

const readinessUnobservable = (r: SiteIntentReport): boolean =>
  r.conditions.some((c) => c.type === "Ready" && c.status === "Unknown");

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
}

/** The rollout across `sites`, those the intent is desired at (the per-site desired table). */
export function rollup(
  intent: Intent,
  sites: readonly SiteRecord[],
  reports: readonly SiteIntentReport[],
  now: Date,
  presenceTimeoutMs: number,
  cap = 50,
): Rollup {
  const counts = Object.fromEntries(PHASE_SEVERITY.map((p) => [p, 0])) as Record<RollupPhase, number>;
  const bySite = new Map(reports.map((r) => [r.siteId, r]));
  const rows: { siteId: string; phase: RollupPhase; message?: string }[] = [];
  let settled = 0;
  for (const site of sites) {
    const r = bySite.get(site.id);
    let phase: RollupPhase;
    let message: string | undefined;
    if (presenceOf(site, now, presenceTimeoutMs) === "offline") {
      phase = "Offline";
      message = site.lastSeen ? `not heard from since ${site.lastSeen}` : "never heard from";
    } else if (!r || r.revision < intent.revision) {
      phase = "Pending";
      message = r ? `reported revision ${r.revision}, wants ${intent.revision}` : "no report yet";
    } else {
      phase = r.phase;
      message = r.conditions.find((c) => c.status !== "True")?.message;
    }
    counts[phase]++;
    if (phase === "Ready" || (phase === "Applied" && r && readinessUnobservable(r))) settled++;
    if (phase !== "Ready")
      rows.push(message === undefined ? { siteId: site.id, phase } : { siteId: site.id, phase, message });
  }
  rows.sort(
    (a, b) =>
      PHASE_SEVERITY.indexOf(a.phase) - PHASE_SEVERITY.indexOf(b.phase) || a.siteId.localeCompare(b.siteId),
  );
  const targeted = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    revision: intent.revision,
    targetedSites: targeted,
    counts,
    settled,
    worst: PHASE_SEVERITY.find((p) => counts[p] > 0) ?? null,
    notReady: rows.slice(0, cap),
    notReadyTruncated: rows.length > cap,
  };
}
