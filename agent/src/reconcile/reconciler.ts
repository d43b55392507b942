/**
 * One level-triggered pass: render the store's intents, make the target match, prune what no intent
 * wants, read back status, and record each intent's phase. Only the store says what is wanted, so an
 * unreachable hub never causes a delete or a scale-down.
 */
import type { Catalog, Clock, K8sObject } from "@nephoran/shared";
import {
  ANNOTATIONS,
  LABELS,
  refKey,
  refOf,
  renderSite,
  traceKey,
  tracing,
  verifyObjects,
} from "@nephoran/shared";
import type { Logger } from "pino";
import type { A1Enforcer } from "../a1";
import { withRemedies } from "../assurance/remedy";
import { phaseOf } from "../phase";
import type { AgentStore } from "../store";
import type { Target } from "../target";
import { TargetError } from "../target";
import type { Settled } from "../pool";
import { APPLY_CONCURRENCY, settleEach } from "../pool";
import { contains } from "./compare";
import type { WorkloadStatus } from "./status";
import { workloadStatus } from "./status";

export interface ReconcileResult {
  readonly applied: number;
  readonly pruned: number;
  readonly unchanged: number;
  readonly intents: number;
  /** Objects the target refused, with why; their intents are Failed. */
  readonly rejected: readonly string[];
  readonly durationMs: number;
}

export interface ReconcilerDeps {
  readonly store: AgentStore;
  readonly target: Target;
  readonly catalog: Catalog;
  readonly site: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Puts the intents' A1 policies to the near-RT RIC, where the site names its A1 interface. */
  readonly a1?: A1Enforcer;
}

/** The intents an object serves: its owner and every intent that shaped it. */
function intentsOf(o: K8sObject): string[] {
  const owner = o.metadata.labels?.[LABELS.intent];
  const contributors = o.metadata.annotations?.[ANNOTATIONS.contributors]?.split(",").filter(Boolean) ?? [];
  return [...new Set([...(owner ? [owner] : []), ...contributors])];
}

/**
 * A traced revision's first reconcile: recorded in its trace (from the pass's start), and its reports to
 * come join the reconcile's span.
 */
function traced(intentId: string, revision: number, phase: string, started: number): void {
  const key = traceKey(intentId, revision);
  const parent = tracing().of(key);
  if (!parent) return;
  tracing().remember(key, undefined);
  const span = tracing().mark(
    "reconcile",
    { "nephoran.intent": intentId, "nephoran.phase": phase },
    parent,
    started,
  );
  tracing().remember(traceKey(intentId, revision, "report"), span);
}

/** Workloads run what the rest (config, services) describes, so they are applied after it. */
const isWorkload = (o: K8sObject): boolean => WORKLOAD_KINDS.has(o.kind);
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);

/** Tries per object when the server answered that it could not take it now (a conflict, throttling, a 5xx). */
const APPLY_ATTEMPTS = 3;

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /** The span of the change that wants `obj`, when the hub traced it. */
  #traceOf(obj: K8sObject, revisions: ReadonlyMap<string, number>) {
    if (!tracing().enabled) return undefined;
    const owner = obj.metadata.labels?.[LABELS.intent];
    const revision = owner === undefined ? undefined : revisions.get(owner);
    return revision === undefined ? undefined : tracing().of(traceKey(owner as string, revision));
  }

  /**
   * One object, tried again shortly when the server answered but could not take it now. A target that does
   * not answer at all is not retried here: the pass fails and the loop backs off.
   */
  async #apply(obj: K8sObject): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.target.apply(obj);
      } catch (e: unknown) {
        if (!(e instanceof TargetError) || !e.transient || attempt >= APPLY_ATTEMPTS) throw e;
        await this.deps.clock.sleep(50 * attempt);
      }
    }
  }

  async reconcileOnce(): Promise<ReconcileResult> {
    const { store, target, catalog, site, clock, logger } = this.deps;
    const started = clock.now().getTime();
    const intents = store.listIntents();
    // What the closed loop changed, at the revision it acted on, is part of what runs.
    const remedied = store.remediations();
    const rendered = renderSite(
      intents.map((i) => ({
        id: i.id,
        revision: i.revision,
        plan: withRemedies(
          i.plan,
          remedied.filter((r) => r.intentId === i.id && r.revision === i.revision),
        ),
      })),
      { catalog, site },
    );
    const violations = verifyObjects(rendered.objects);
    if (violations.length) {
      // Rendering produced something the guardrails forbid: a defect; apply nothing.
      throw new Error(
        `rendered objects break guardrails: ${violations.map((v) => `${v.rule} ${v.path}`).join("; ")}`,
      );
    }

    await target.ensureNamespaces([
      ...new Set(rendered.objects.map((o) => o.metadata.namespace ?? "default")),
    ]);
    let actual = new Map((await target.listManaged()).map((o) => [refKey(refOf(o)), o]));

    const revisions = new Map(intents.map((i) => [i.id, i.revision]));
    const rejected = new Map<string, string[]>(); // intent → messages
    let applied = 0;
    let unchanged = 0;
    const desiredKeys = new Set<string>();
    const changed: K8sObject[] = [];
    for (const obj of rendered.objects) {
      const key = refKey(refOf(obj));
      desiredKeys.add(key);
      const live = actual.get(key);
      if (live && contains(live, obj)) unchanged++;
      else changed.push(obj);
    }
    // What workloads read first, then the workloads; within a wave, several at once. Outcomes are taken
    // in the rendered order, so what a pass reports does not depend on which answer came first.
    for (const wave of [changed.filter((o) => !isWorkload(o)), changed.filter(isWorkload)]) {
      const outcomes = await settleEach(wave, APPLY_CONCURRENCY, (obj) =>
        // Under the trace of the change that wants it, when the hub traced one.
        tracing().span(
          "apply",
          { "k8s.object": refKey(refOf(obj)) },
          () => this.#apply(obj),
          this.#traceOf(obj, revisions),
        ),
      );
      let retry: unknown;
      wave.forEach((obj, i) => {
        const outcome = outcomes[i] as Settled<void>;
        const key = refKey(refOf(obj));
        if (outcome.ok) {
          applied++;
          if (actual.has(key)) logger.info({ object: key }, "restored drifted object");
        } else if (outcome.error instanceof TargetError && !outcome.error.retry) {
          const message = outcome.error.message;
          for (const id of intentsOf(obj)) rejected.set(id, [...(rejected.get(id) ?? []), message]);
          logger.warn({ object: key, err: message }, "target rejected object");
        } else retry ??= outcome.error;
      });
      // The target could not take a change now: the pass fails and the loop tries again later.
      if (retry !== undefined) throw retry;
    }

    let pruned = 0;
    const unwanted = [...actual].filter(([key]) => !desiredKeys.has(key)).map(([, live]) => live);
    // Workloads first, then what they read: the reverse of applying.
    for (const wave of [unwanted.filter(isWorkload), unwanted.filter((o) => !isWorkload(o))]) {
      const outcomes = await settleEach(wave, APPLY_CONCURRENCY, (live) => target.remove(refOf(live)));
      let failed: unknown;
      wave.forEach((live, i) => {
        const outcome = outcomes[i] as Settled<void>;
        if (!outcome.ok) return void (failed ??= outcome.error);
        pruned++;
        logger.info({ object: refKey(refOf(live)) }, "pruned object no intent wants");
      });
      if (failed !== undefined) throw failed;
    }

    if (applied > 0 || pruned > 0)
      actual = new Map((await target.listManaged()).map((o) => [refKey(refOf(o)), o]));
    const workloads = new Map<string, WorkloadStatus>();
    for (const o of actual.values()) {
      const s = workloadStatus(o);
      if (s) workloads.set(`${o.metadata.namespace}/${o.metadata.name}`, s);
    }

    const enforced = this.deps.a1 ? await this.deps.a1.reconcile(rendered.policies) : undefined;
    const ricReady = [...workloads.values()].some(
      (w) => w.nf === "near-rt-ric" && w.ready >= w.desired && w.desired > 0 && w.upToDate,
    );
    const now = clock.now().toISOString();
    for (const intent of intents) {
      const outcome = phaseOf({
        revision: intent.revision,
        plan: intent.plan,
        workloadKeys: rendered.workloadsByIntent.get(intent.id) ?? [],
        workloads,
        problems: rendered.problems.get(intent.id) ?? [],
        rejected: rejected.get(intent.id) ?? [],
        ricReady,
        ...(enforced?.has(intent.id) ? { a1: enforced.get(intent.id) } : {}),
        // A target that cannot see workloads run (a directory, GitOps) knows only that it wrote them.
        ...(target.observesStatus ? {} : { unobservable: target.describe }),
      });
      // One intent's status that cannot be recorded fails that intent alone: every other intent at the
      // site still converges and reports.
      try {
        store.setPhase(intent.id, {
          revision: intent.revision,
          phase: outcome.phase,
          conditions: outcome.conditions,
          reason: outcome.reason,
          message: outcome.message,
          nfStatus: outcome.nfStatus,
        });
        traced(intent.id, intent.revision, outcome.phase, started);
      } catch (e: unknown) {
        const message = `its status could not be recorded: ${e instanceof Error ? e.message : String(e)}`;
        logger.error({ intent: intent.id, err: message }, "intent failed");
        rejected.set(intent.id, [...(rejected.get(intent.id) ?? []), message]);
        store.setPhase(intent.id, {
          revision: intent.revision,
          phase: "Failed",
          conditions: [
            {
              type: "Ready",
              status: "False",
              reason: "StatusFailed",
              message: message.slice(0, 1000),
              lastTransitionTime: now,
            },
          ],
          reason: "StatusFailed",
          message: message.slice(0, 1000),
        });
      }
    }

    const result = {
      applied,
      pruned,
      unchanged,
      intents: intents.length,
      rejected: [...rejected.values()].flat(),
      durationMs: clock.now().getTime() - started,
    };
    if (applied || pruned || result.rejected.length) logger.info(result, "reconciled");
    return result;
  }
}
