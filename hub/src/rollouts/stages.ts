/**
 * The steps of a staged rollout, each inside the caller's transaction: start one for a new revision, enter
 * a stage (its sites get the revision), finish, and roll back.
 */
import type { Intent } from "@nephoran/shared";
import { failureBudget, selects, stagesOf } from "@nephoran/shared";
import type { HubDeps } from "../deps";
import type { HubRepos, RolloutRecord, RolloutSite, SiteChange } from "../store";
import { RolloutError, RolloutErrorCode } from "./errors";

/** What a step changed: the record as it now is, and the site changes to send. */
export interface Stepped {
  readonly rollout: RolloutRecord;
  readonly changes: SiteChange[];
}

/** Ready at the rollout's revision: Ready, or Applied where the target cannot observe readiness. */
export const settledAt = (s: RolloutSite, revision: number): boolean =>
  s.reportRevision !== null &&
  s.reportRevision >= revision &&
  (s.reportPhase === "Ready" || (s.reportPhase === "Applied" && s.reportUnknown));

/** Failures that count against the budget (those a person accepted by resuming do not). */
export const counted = (r: RolloutRecord): number => r.failures.filter((f) => !f.accepted).length;

export const budgetOf = (r: RolloutRecord): number =>
  failureBudget(
    r.strategy,
    r.stages.reduce((n, s) => n + s.length, 0),
  );

/**
 * Starts rolling `intent` (its new revision, which has a strategy) out stage by stage; a rollout still
 * under way for an earlier revision is superseded. Refuses a strategy the targeted sites cannot meet.
 */
export async function startRollout(
  tx: HubRepos,
  intent: Intent & { rollout: NonNullable<Intent["rollout"]> },
  fromRevision: number | null,
  now: Date,
): Promise<Stepped> {
  const targets = await tx.desired.targets(intent.siteSelector);
  const made = stagesOf(intent.rollout, targets, selects);
  if ("error" in made)
    throw new RolloutError(RolloutErrorCode.Refused, `the rollout strategy cannot be met: ${made.error}`);
  // A rollout cut short never proved its revision: a rollback goes to what the one before it came from.
  const cut = await supersede(tx, intent.id, `revision ${intent.revision} superseded it`, now);
  const at = now.toISOString();
  const rollout: RolloutRecord = {
    intentId: intent.id,
    revision: intent.revision,
    fromRevision: cut ? cut.fromRevision : fromRevision,
    strategy: intent.rollout,
    stages: made.stages,
    stage: 0,
    state: "Progressing",
    reason: null,
    failures: [],
    startedAt: at,
    stageStartedAt: at,
    readySince: null,
    updatedAt: at,
  };
  return enterStage(tx, rollout, 0, now);
}

/** Ends the intent's rollout under way, if any: a newer change, or a deletion, takes over its sites. */
export async function supersede(
  tx: HubRepos,
  intentId: string,
  reason: string,
  now: Date,
): Promise<RolloutRecord | undefined> {
  const before = await tx.rollouts.latest(intentId);
  if (!before || (before.state !== "Progressing" && before.state !== "Paused")) return undefined;
  await tx.rollouts.put({ ...before, state: "Superseded", reason, updatedAt: now.toISOString() });
  return before;
}

/** Gives stage `k`'s sites the revision (whether each is online is judged as the stage goes). */
export async function enterStage(tx: HubRepos, r: RolloutRecord, k: number, now: Date): Promise<Stepped> {
  const sites = r.stages[k] ?? [];
  const changes = await tx.desired.assign(r.intentId, new Map(sites.map((s) => [s, r.revision])));
  const at = now.toISOString();
  const rollout: RolloutRecord = { ...r, stage: k, stageStartedAt: at, readySince: null, updatedAt: at };
  await tx.rollouts.put(rollout);
  return { rollout, changes };
}

/** Every stage passed: the revision goes everywhere the selector now reaches (sites enrolled meanwhile too). */
export async function complete(tx: HubRepos, r: RolloutRecord, intent: Intent, now: Date): Promise<Stepped> {
  const changes = await tx.desired.retargetIntent(r.intentId, r.revision, intent.siteSelector);
  const rollout: RolloutRecord = { ...r, state: "Completed", readySince: null, updatedAt: now.toISOString() };
  await tx.rollouts.put(rollout);
  return { rollout, changes };
}

/**
 * Makes `earlier`'s spec the intent's again, as a new revision after `cur`, at every site the selector
 * reaches, at once. The intent's strategy stays for its next change.
 */
export async function reinstate(
  tx: HubRepos,
  cur: Intent,
  earlier: Intent,
): Promise<{ intent: Intent; changes: SiteChange[] }> {
  const intent = await tx.intents.update(cur.id, cur.revision, {
    name: earlier.name,
    ...(earlier.text !== undefined ? { text: earlier.text } : {}),
    plan: earlier.plan,
    siteSelector: earlier.siteSelector,
    priority: earlier.priority,
  });
  return { intent, changes: await tx.desired.retargetIntent(cur.id, intent.revision, intent.siteSelector) };
}

/**
 * Every site goes back to the revision held before the rollout, made again as a new revision (history
 * kept); for a new intent, every touched site lets it go.
 */
export async function rollBack(tx: HubRepos, r: RolloutRecord, reason: string, now: Date): Promise<Stepped> {
  const at = now.toISOString();
  const rollout: RolloutRecord = { ...r, state: "RolledBack", reason, readySince: null, updatedAt: at };
  await tx.rollouts.put(rollout);
  if (r.fromRevision === null) {
    const touched = r.stages.slice(0, r.stage + 1).flat();
    return { rollout, changes: await tx.desired.assign(r.intentId, new Map(touched.map((s) => [s, null]))) };
  }
  const cur = await tx.intents.get(r.intentId);
  const before = await tx.intents.revision(r.intentId, r.fromRevision);
  if (!cur || !before) return { rollout, changes: [] };
  return { rollout, changes: (await reinstate(tx, cur, before)).changes };
}

/** Tells `/v1/events` listeners where a rollout now stands. */
export function announce(deps: Pick<HubDeps, "events">, rollout: RolloutRecord, now: Date): void {
  deps.events.publish({
    type: "intent.rollout",
    id: rollout.intentId,
    revision: rollout.revision,
    at: now.toISOString(),
    rollout: { state: rollout.state, stage: rollout.stage },
  });
}
