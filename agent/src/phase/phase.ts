/**
 * An intent's phase and conditions at the site, as one pure model: what a reconcile pass makes of what it
 * saw (`phaseOf`), and how a new set of conditions follows the one before (`stamp`: a condition keeps its
 * transition time while its status holds). The reconciler and the store both use it and nothing else does.
 */
import type { IntentPlan, NfStatus, Phase, ReportCondition } from "@nephoran/shared";

/** A condition as a pass decides it; its transition time is the store's to stamp. */
export type Condition = Omit<ReportCondition, "lastTransitionTime">;

export interface Outcome {
  readonly phase: Phase;
  readonly reason: string;
  readonly message: string;
  readonly conditions: Condition[];
  readonly nfStatus: NfStatus[];
}

/** A workload as read back from the target. */
export interface Workload {
  readonly nf: string;
  readonly desired: number;
  readonly ready: number;
  readonly upToDate: boolean;
}

/** What one pass saw of one intent. */
export interface Seen {
  readonly revision: number;
  readonly plan: IntentPlan;
  /** `namespace/name` of each workload the intent shaped. */
  readonly workloadKeys: readonly string[];
  readonly workloads: ReadonlyMap<string, Workload>;
  /** Why it could not be rendered here. */
  readonly problems: readonly string[];
  /** Why the target refused its objects. */
  readonly rejected: readonly string[];
  /** Whether a near-RT RIC is ready at the site (an A1 policy takes effect only through one). */
  readonly ricReady: boolean;
  /** Where the site puts A1 policies to the RIC's A1 interface: whether the intent's are enforced there. */
  readonly a1?: { readonly enforced: boolean; readonly message: string };
  /** The target, when it cannot observe readiness (a directory, GitOps): what it writes to. */
  readonly unobservable?: string;
}

function appliedTo(keys: readonly string[]): string {
  if (keys.length === 0) return "nothing to apply";
  const names = keys.map((k) => k.split("/")[1] ?? k);
  const shown = names.slice(0, 8).join(", ");
  return `applied to ${shown}${names.length > 8 ? ` and ${names.length - 8} more` : ""}`;
}

/** The intent's phase, conditions and NF status from what a pass saw. */
export function phaseOf(s: Seen): Outcome {
  const planned = {
    type: "Planned",
    status: "True" as const,
    reason: "Planned",
    message: `revision ${s.revision}`,
  };
  const nfStatus: NfStatus[] = s.workloadKeys.map((k) => {
    const w = s.workloads.get(k);
    const name = k.split("/")[1] ?? k;
    return w
      ? {
          nf: w.nf,
          name,
          desiredReplicas: w.desired,
          readyReplicas: w.ready,
          ready: w.ready >= w.desired && w.upToDate,
        }
      : {
          nf: "unknown",
          name,
          desiredReplicas: 0,
          readyReplicas: 0,
          ready: false,
          message: "not found on the target",
        };
  });
  const failures = [...s.problems, ...s.rejected];
  if (failures.length) {
    const message = failures.join("; ").slice(0, 1000);
    const reason = s.problems.length ? "CannotApply" : "Rejected";
    return {
      phase: "Failed",
      reason,
      message,
      conditions: [
        planned,
        { type: "Applied", status: "False", reason, message },
        { type: "Ready", status: "False", reason: "NotApplied", message },
      ],
      nfStatus,
    };
  }
  const applied = {
    type: "Applied",
    status: "True" as const,
    reason: "Applied",
    // Names them: a scale or configure touches every instance earlier intents deployed, and this says which.
    message: appliedTo(s.workloadKeys),
  };
  const missing = nfStatus.filter((n) => n.message);
  if (missing.length) {
    const message = `waiting for ${missing.map((m) => m.name).join(", ")}`;
    return {
      phase: "Applying",
      reason: "Applying",
      message,
      conditions: [
        planned,
        { type: "Applied", status: "False", reason: "Applying", message },
        { type: "Ready", status: "False", reason: "Applying", message },
      ],
      nfStatus,
    };
  }
  // Written: what is left is whether it runs — the Ready condition says, and the phase follows it.
  const settle = (
    ready: "True" | "False" | "Unknown",
    reason: string,
    message: string,
    readyReason = reason,
  ): Outcome => ({
    phase: ready === "True" ? "Ready" : "Applied",
    reason,
    message,
    conditions: [planned, applied, { type: "Ready", status: ready, reason: readyReason, message }],
    nfStatus,
  });
  // An A1 policy the RIC's A1 interface is asked about: its word decides, wherever the workloads run.
  const policy = s.plan.actions.some((a) => a.kind === "policy");
  if (policy && s.a1 && !s.a1.enforced) return settle("False", "NotEnforced", s.a1.message);
  if (s.unobservable !== undefined && !(policy && s.a1 && s.workloadKeys.length === 0))
    return settle(
      "Unknown",
      "Written",
      `manifests written to ${s.unobservable}; this target cannot observe readiness`,
      "NotObservable",
    );
  const notReady = nfStatus.filter((n) => !n.ready);
  if (notReady.length)
    return settle(
      "False",
      "WaitingForReady",
      notReady.map((n) => `${n.name} ${n.readyReplicas}/${n.desiredReplicas} ready`).join(", "),
    );
  if (policy && s.a1) return settle("True", "Enforced", s.a1.message);
  if (policy && !s.ricReady)
    return settle(
      "False",
      "NoRic",
      "the A1 policy is written; no near-RT RIC is ready at this site to enforce it",
    );
  return settle("True", "Ready", "all workloads ready");
}

/**
 * The conditions after `next`: each keeps the transition time it had while its status holds, and takes
 * `now` when its status changes (or it is new). A time `next` carries itself is kept.
 */
export function stamp(
  before: readonly ReportCondition[],
  next: readonly (Condition & { lastTransitionTime?: string })[],
  now: string,
): ReportCondition[] {
  return next.map((c) => {
    const was = before.find((p) => p.type === c.type);
    if (was && was.status === c.status) return { ...c, lastTransitionTime: was.lastTransitionTime };
    return { ...c, lastTransitionTime: c.lastTransitionTime ?? now };
  });
}

/** Whether two condition lists say the same (types, statuses, reasons, messages; times aside). */
export function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i];
      return (
        d !== undefined &&
        c.type === d.type &&
        c.status === d.status &&
        c.reason === d.reason &&
        c.message === d.message
      );
    })
  );
}

/** Whether two NF status lists say the same, in any order. */
export function sameNfStatus(a: readonly NfStatus[], b: readonly NfStatus[]): boolean {
  const key = (s: NfStatus) =>
    `${s.name}|${s.nf}|${s.desiredReplicas}|${s.readyReplicas}|${s.ready}|${s.message ?? ""}`;
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}
