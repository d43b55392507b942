/** How an intent's rollout stands across the sites it is desired at, and what presence means. Pure. */
import type { Intent, RollupPhase } from "@nephoran/shared";
import { PHASE_SEVERITY } from "@nephoran/shared";
import type { RollupRow, SiteRecord } from "./store";

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

/**
 * The rollout across the sites the intent is desired at. Reports are not read whole: `messages` is asked only
 * for the few sites listed (worst first, capped), so a rollup over 10,000 sites parses at most `cap` reports.
 */
export async function rollup(
  intent: Intent,
  rows: readonly RollupRow[],
  now: Date,
  presenceTimeoutMs: number,
  messages: (siteIds: readonly string[]) => Promise<ReadonlyMap<string, string | undefined>>,
  cap = 50,
): Promise<Rollup> {
  const counts = Object.fromEntries(PHASE_SEVERITY.map((p) => [p, 0])) as Record<RollupPhase, number>;
  const listed: { siteId: string; phase: RollupPhase; message?: string; fromReport: boolean }[] = [];
  let settled = 0;
  for (const row of rows) {
    const r = row.report;
    let phase: RollupPhase;
    let message: string | undefined;
    if (presenceOf(row, now, presenceTimeoutMs) === "offline") {
      phase = "Offline";
      message = row.lastSeen ? `not heard from since ${row.lastSeen}` : "never heard from";
    } else if (!r || r.revision < intent.revision) {
      phase = "Pending";
      message = r ? `reported revision ${r.revision}, wants ${intent.revision}` : "no report yet";
    } else {
      phase = r.phase;
    }
    counts[phase]++;
    if (phase === "Ready" || (phase === "Applied" && r?.unobservable)) settled++;
    if (phase !== "Ready")
      listed.push({
        siteId: row.siteId,
        phase,
        fromReport: message === undefined,
        ...(message ? { message } : {}),
      });
  }
  listed.sort(
    (a, b) =>
      PHASE_SEVERITY.indexOf(a.phase) - PHASE_SEVERITY.indexOf(b.phase) || a.siteId.localeCompare(b.siteId),
  );
  const shown = listed.slice(0, cap);
  const said = await messages(shown.filter((x) => x.fromReport).map((x) => x.siteId));
  const targeted = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    revision: intent.revision,
    targetedSites: targeted,
    counts,
    settled,
    worst: PHASE_SEVERITY.find((p) => counts[p] > 0) ?? null,
    notReady: shown.map(({ siteId, phase, message, fromReport }) => {
      const m = fromReport ? said.get(siteId) : message;
      return m === undefined ? { siteId, phase } : { siteId, phase, message: m };
    }),
    notReadyTruncated: listed.length > cap,
  };
}
