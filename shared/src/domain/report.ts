import { z } from "zod";
import { IntentId } from "./intent";
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

export const NfStatus = z.strictObject({
  nf: NfId,
  name: z.string().min(1).max(253),
  desiredReplicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0),
  ready: z.boolean(),
  message: z.string().max(1024).optional(),
});
export type NfStatus = z.infer<typeof NfStatus>;

/** What an agent reports to the hub about one intent at its site. */
export const SiteIntentReport = z.strictObject({
  siteId: SiteName,
  intentId: IntentId,
  revision: z.number().int().min(1),
  phase: Phase,
  conditions: z.array(ReportCondition).max(32),
  nfStatus: z.array(NfStatus).max(64),
  observedAt: Timestamp,
  reportSeq: z.number().int().min(0),
});
export type SiteIntentReport = z.infer<typeof SiteIntentReport>;
