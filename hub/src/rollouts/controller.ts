/**
 * Drives every staged rollout under way, on one hub (the leading replica where several share a store):
 * each turn it reads each rollout's current stage from the store — what each site holds and reported — and
 * passes the stage, stops at the failure budget, or waits. Everything it knows is in the store, so a hub
 * that restarts (or another replica that takes the lead) goes on exactly where it was.
 */
import { every } from "@nephoran/shared";
import type { HubDeps } from "../deps";
import type { HubRepos, Leadership, RolloutFailure, RolloutRecord, RolloutSite } from "../store";
import type { Stepped } from "./stages";
import { presenceOf } from "../rollup";
import { announce, budgetOf, complete, counted, enterStage, rollBack, settledAt } from "./stages";

const DEFAULT_DEADLINE_S = 600;

/**
 * What the stage's sites say now: new failures, and whether every other site is settled. A site that
 * reports Failed at the revision fails; one not settled by its deadline fails; one offline (not heard from
 * for a presence timeout) that long into its stage is unavailable — counted from `listeningSince` at the
 * latest, so a hub that has just started does not take sites it has not yet heard from for gone.
 */
export function judge(
  r: RolloutRecord,
  sites: readonly RolloutSite[],
  now: Date,
  presence: { timeoutMs: number; listeningSince: Date },
): { failures: RolloutFailure[]; settled: boolean } {
  const known = new Set(r.failures.map((f) => f.site));
  const deadlineMs = (r.strategy.siteDeadlineSeconds ?? DEFAULT_DEADLINE_S) * 1000;
  const into = now.getTime() - Date.parse(r.stageStartedAt);
  const watched = now.getTime() - Math.max(Date.parse(r.stageStartedAt), presence.listeningSince.getTime());
  const failures: RolloutFailure[] = [];
  let settled = true;
  for (const s of sites) {
    if (known.has(s.site) || settledAt(s, r.revision)) continue;
    settled = false;
    const current = s.reportRevision !== null && s.reportRevision >= r.revision;
    if (current && s.reportPhase === "Failed")
      failures.push({ site: s.site, why: `reported Failed at revision ${r.revision}` });
    else if (watched >= presence.timeoutMs && presenceOf(s, now, presence.timeoutMs) === "offline")
      failures.push({
        site: s.site,
        why: `offline for ${Math.round(watched / 1000)} s into its stage`,
        unavailable: true,
      });
    else if (into > deadlineMs)
      failures.push({
        site: s.site,
        why: `not Ready at revision ${r.revision} within ${deadlineMs / 1000} s`,
      });
  }
  return { failures, settled };
}

export class RolloutController {
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #turning: Promise<void> | undefined;
  #again = false;
  /** Since when this hub has been hearing from sites (its presence view is its own from then on). */
  readonly #since: Date;

  constructor(
    private readonly deps: Pick<
      HubDeps,
      "store" | "clock" | "logger" | "events" | "sync" | "presenceTimeoutMs"
    >,
    private readonly opts: {
      tickMs?: number;
      leadership?: Leadership;
      /** Rings when sites' reports were committed: a stage may have passed, so look at once. */
      wake?: EventTarget;
    } = {},
  ) {
    this.#since = deps.clock.now();
  }

  start(): void {
    const kick = () => void this.#turn().catch(() => undefined);
    this.opts.wake?.addEventListener("reports", kick, { signal: this.#abort.signal });
    this.#loop = every(
      this.deps.clock,
      this.opts.tickMs ?? 500,
      this.#abort.signal,
      () => this.#turn(),
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#turning;
  }

  /** One turn at a time; a ring during a turn makes one more. */
  #turn(): Promise<void> {
    if (this.#turning) {
      this.#again = true;
      return this.#turning;
    }
    this.#turning = (async () => {
      do {
        this.#again = false;
        try {
          await this.tick();
        } catch (e: unknown) {
          this.deps.logger.error({ err: String(e) }, "rollouts: a turn failed");
        }
      } while (this.#again && !this.#abort.signal.aborted);
    })().finally(() => (this.#turning = undefined));
    return this.#turning;
  }

  /** One turn over every rollout under way (a paused one waits for a person). */
  async tick(): Promise<void> {
    if (this.opts.leadership && !(await this.opts.leadership.lead())) return;
    for (const r of await this.deps.store.rollouts.unfinished())
      if (r.state === "Progressing") await this.#step(r);
  }

  /** Failures with what the site itself says is in the way (the target's error, the NF not ready). */
  async #saying(tx: HubRepos, intentId: string, failures: RolloutFailure[]): Promise<RolloutFailure[]> {
    const heard = failures.filter((f) => !f.unavailable).map((f) => f.site);
    if (!heard.length) return failures;
    const said = await tx.reports.messages(intentId, heard);
    return failures.map((f) => {
      const m = said.get(f.site);
      return m && !f.unavailable ? { ...f, why: `${f.why}: ${m.slice(0, 300)}` } : f;
    });
  }

  async #step(r: RolloutRecord): Promise<void> {
    const now = this.deps.clock.now();
    const stepped = await this.deps.store.transaction(async (tx): Promise<Stepped | undefined> => {
      // Read again inside the transaction: a person may have paused or aborted it since.
      const cur = await tx.rollouts.latest(r.intentId);
      if (cur?.revision !== r.revision || cur.state !== "Progressing") return undefined;
      const sites = await tx.rollouts.sites(cur.intentId, cur.stages[cur.stage] ?? []);
      const judgement = judge(cur, sites, now, {
        timeoutMs: this.deps.presenceTimeoutMs,
        listeningSince: this.#since,
      });
      const { settled } = judgement;
      const failures = await this.#saying(tx, cur.intentId, judgement.failures);
      const judged: RolloutRecord = {
        ...cur,
        failures: [...cur.failures, ...failures],
        readySince: settled ? (cur.readySince ?? now.toISOString()) : null,
        updatedAt: now.toISOString(),
      };
      if (counted(judged) > budgetOf(judged)) {
        const reason = `${counted(judged)} sites failed or were unavailable, over the budget of ${budgetOf(judged)}: ${judged.failures
          .filter((f) => !f.accepted)
          .slice(0, 3)
          .map((f) => `${f.site} ${f.why}`)
          .join("; ")}`;
        if (judged.strategy.approval === "manual") {
          const paused: RolloutRecord = { ...judged, state: "Paused", reason };
          await tx.rollouts.put(paused);
          return { rollout: paused, changes: [] };
        }
        return rollBack(tx, judged, reason, now);
      }
      const bakeMs = (judged.strategy.bakeSeconds ?? 0) * 1000;
      if (judged.readySince !== null && now.getTime() - Date.parse(judged.readySince) >= bakeMs) {
        if (judged.stage + 1 < judged.stages.length) return enterStage(tx, judged, judged.stage + 1, now);
        const intent = await tx.intents.get(judged.intentId);
        if (intent) return complete(tx, judged, intent, now);
      }
      if (failures.length || judged.readySince !== cur.readySince) await tx.rollouts.put(judged);
      return undefined;
    });
    if (!stepped) return;
    this.deps.sync.changed(stepped.changes);
    const { rollout } = stepped;
    this.deps.logger.info(
      { intent: rollout.intentId, revision: rollout.revision, state: rollout.state, stage: rollout.stage },
      "rollouts: a rollout moved on",
    );
    announce(this.deps, rollout, now);
  }
}
