import * as z from "zod";
import { IntentId } from "./intent";
import { ExpectationStatus, Remediation } from "./assurance";
import { NfId } from "./plan";
import { SiteName, Timestamp } from "./primitives";

export const Phase = z.enum(["Pending", "Planned", "Applying", "Applied", "Ready", "Degraded", "Failed"]);
export type Phase = z.infer<typeof Phase>;

/** Phases a site can be in as the hub sees it: the reported ones, plus Offline for a site not heard from. */
export const RollupPhase = z.enum([...Phase.options, "Offline"]);
export type RollupPhase = z.infer<typeof RollupPhase>;

/** Worst first: the order in which a rollup lists sites that need attention. */
export const PHASE_SEVERITY: readonly RollupPhase[] = [
  "Failed",
  "Degraded",
  "Offline",
  "Applying",
  "Applied",
  "Planned",
  "Pending",
  "Ready",
] as const;

/** Kubernetes-style condition. */
export const ReportCondition = z.strictObject({
  type: z.string().min(1).max(64),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().max(128).optional(),
  message: z.string().max(1024).optional(),
  lastTransitionTime: Timestamp,
});
export type ReportCondition = z.infer<typeof ReportCondition>;

/** What is in the way: the message of the first condition that is not True, if any. */
export const blockingMessage = (
  conditions: readonly Pick<ReportCondition, "status" | "message">[],
): string | undefined => conditions.find((c) => c.status !== "True")?.message;

export const NfStatus = z.strictObject({
  nf: NfId,
  name: z.string().min(1).max(253),
  desiredReplicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0),
  ready: z.boolean(),
  message: z.string().max(1024).optional(),
});
export type NfStatus = z.infer<typeof NfStatus>;

/** The most NF instances one report lists; the site keeps them all, and `nfCount` says how many there are. */
export const MAX_REPORTED_NFS = 64;

/** What an agent reports to the hub about one intent at its site. */
export const SiteIntentReport = z.strictObject({
  siteId: SiteName,
  intentId: IntentId,
  revision: z.number().int().min(1),
  phase: Phase,
  conditions: z.array(ReportCondition).max(32),
  nfStatus: z.array(NfStatus).max(MAX_REPORTED_NFS),
  /** How many NF instances the intent has at the site, when that is more than `nfStatus` lists. */
  nfCount: z.number().int().min(0).optional(),
  observedAt: Timestamp,
  reportSeq: z.number().int().min(0),
  /** How each of the intent's expectations stands at the site (intents with expectations only). */
  expectations: z.array(ExpectationStatus).max(20).optional(),
  /** What the site's closed loop changed of the intent, per NF (remediating intents only). */
  remediations: z.array(Remediation).max(50).optional(),
});
export type SiteIntentReport = z.infer<typeof SiteIntentReport>;

/**
 * The NF status a report carries: every instance while they fit, else the ones not ready first (what an
 * operator needs to see), then the rest, up to MAX_REPORTED_NFS, with the full count beside them. However
 * many instances an intent touches at a site, its report stays valid.
 */
export function reportedNfStatus(all: readonly NfStatus[]): { nfStatus: NfStatus[]; nfCount?: number } {
  if (all.length <= MAX_REPORTED_NFS) return { nfStatus: [...all] };
  const ordered = [...all.filter((s) => !s.ready), ...all.filter((s) => s.ready)];
  return { nfStatus: ordered.slice(0, MAX_REPORTED_NFS), nfCount: all.length };
}
