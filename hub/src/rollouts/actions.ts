/** What a person does to a rollout — pause, resume, abort — and how it stands, stage by stage. */
import { RolloutSiteState } from "@nephoran/shared";
import type { HubDeps } from "../deps";
import { RolloutError, RolloutErrorCode } from "./errors";
import type { Intent } from "@nephoran/shared";
import type { RolloutRecord } from "../store";
import { HubStoreError, StoreErrorCode } from "../store";
import { announce, budgetOf, counted, reinstate, rollBack, settledAt, supersede } from "./stages";

type Deps = Pick<HubDeps, "store" | "clock" | "events" | "sync">;
export type RolloutAction = "pause" | "resume" | "abort";

const ALLOWED: Record<RolloutAction, readonly string[]> = {
  pause: ["Progressing"],
  resume: ["Paused"],
  abort: ["Progressing", "Paused"],
};

/** Pauses, resumes (past the failures so far: only new ones count) or aborts (rolls back) a rollout. */
export async function act(
  deps: Deps,
  intentId: string,
  action: RolloutAction,
  actor: string,
): Promise<RolloutRecord> {
  const now = deps.clock.now();
  const { rollout, changes } = await deps.store.transaction(async (tx) => {
    const r = await tx.rollouts.latest(intentId);
    if (!r) throw new RolloutError(RolloutErrorCode.None, `intent ${intentId} has no rollout`);
    if (!ALLOWED[action].includes(r.state))
      throw new RolloutError(
        RolloutErrorCode.State,
        `the rollout of revision ${r.revision} is ${r.state}: ${action} applies to a rollout ${ALLOWED[action].join(" or ")}`,
      );
    await tx.audit.append({
      actor,
      action: `rollout.${action}`,
      target: intentId,
      detail: { revision: r.revision },
    });
    const at = now.toISOString();
    if (action === "abort") return rollBack(tx, r, `aborted by ${actor}`, now);
    const next: RolloutRecord =
      action === "pause"
        ? { ...r, state: "Paused", reason: `paused by ${actor}`, updatedAt: at }
        : {
            ...r,
            state: "Progressing",
            reason: null,
            failures: r.failures.map((f) => ({ ...f, accepted: true })),
            updatedAt: at,
          };
    await tx.rollouts.put(next);
    return { rollout: next, changes: [] };
  });
  deps.sync.changed(changes);
  announce(deps, rollout, now);
  return rollout;
}

/**
 * The intent's spec as it was at `toRevision`, made again as a new revision and sent to every site at once
 * (a rollback is not staged); a rollout under way is superseded. History is kept.
 */
export async function rollbackTo(deps: Deps, id: string, toRevision: number, actor: string): Promise<Intent> {
  const now = deps.clock.now();
  const { intent, changes } = await deps.store.transaction(async (tx) => {
    const cur = await tx.intents.get(id);
    if (!cur) throw new HubStoreError(StoreErrorCode.NotFound, `no intent ${id}`);
    const to = toRevision < cur.revision ? await tx.intents.revision(id, toRevision) : undefined;
    if (!to)
      throw new HubStoreError(
        toRevision >= cur.revision ? StoreErrorCode.Conflict : StoreErrorCode.NotFound,
        toRevision >= cur.revision
          ? `intent ${id} is at revision ${cur.revision}: roll back to an earlier one`
          : `intent ${id} has no revision ${toRevision} kept (see GET /v1/intents/${id}/revisions)`,
      );
    await supersede(tx, id, `rolled back to revision ${toRevision} by ${actor}`, now);
    const back = await reinstate(tx, cur, to);
    await tx.audit.append({
      actor,
      action: "intent.rollback",
      target: id,
      detail: { from: cur.revision, to: toRevision, revision: back.intent.revision },
    });
    return back;
  });
  deps.sync.changed(changes);
  deps.events.publish({ type: "intent.updated", id, revision: intent.revision, at: now.toISOString() });
  return intent;
}

export interface StageView {
  readonly name: string;
  readonly sites: number;
  readonly status: "Passed" | "Current" | "Waiting";
  readonly counts: Record<RolloutSiteState, number>;
}

/** How a rollout stands: each stage's sites by state, the failures and the budget. */
export async function rolloutView(deps: Pick<HubDeps, "store">, intentId: string) {
  const r = await deps.store.rollouts.latest(intentId);
  if (!r) throw new RolloutError(RolloutErrorCode.None, `intent ${intentId} has no rollout`);
  const failed = new Map(r.failures.map((f) => [f.site, f]));
  const stages: StageView[] = [];
  for (const [k, ids] of r.stages.entries()) {
    const counts = Object.fromEntries(RolloutSiteState.options.map((s) => [s, 0])) as Record<
      RolloutSiteState,
      number
    >;
    const add = (s: RolloutSiteState) => counts[s]++;
    for (const s of await deps.store.rollouts.sites(intentId, ids)) {
      const f = failed.get(s.site);
      if (f) add(f.unavailable ? "Unavailable" : "Failed");
      else if (s.revision === null || s.revision < r.revision) add("Waiting");
      else if (settledAt(s, r.revision)) add("Ready");
      else add("Updating");
    }
    const hasCanary = r.strategy.canary !== undefined;
    stages.push({
      name: hasCanary && k === 0 ? "canary" : `wave ${hasCanary ? k : k + 1}`,
      sites: ids.length,
      status: k < r.stage || r.state === "Completed" ? "Passed" : k === r.stage ? "Current" : "Waiting",
      counts,
    });
  }
  return {
    intentId: r.intentId,
    revision: r.revision,
    fromRevision: r.fromRevision,
    state: r.state,
    reason: r.reason,
    stage: r.stage,
    stages,
    failures: [...r.failures],
    failuresCounted: counted(r),
    failureBudget: budgetOf(r),
    strategy: r.strategy,
    startedAt: r.startedAt,
    stageStartedAt: r.stageStartedAt,
    readySince: r.readySince,
    updatedAt: r.updatedAt,
  };
}
