/**
 * Intent assurance at the site: every interval, each expectation of each intent is measured on the site's
 * metrics, judged against its condition, and moved through hysteresis into Fulfilled, Degraded, NotFulfilled
 * or Unknown; a change is stored and queued for the hub (the outbox, so it survives a link that is down).
 * Supervised: a failed pass is logged and the next one runs on time.
 */
import type { Catalog, Clock, ExpectationStatus, Fulfilment, GuardrailPolicy } from "@nephoran/shared";
import type { Measure } from "@nephoran/shared";
import { fill, judge, measureOf, podsOf, validatePlan } from "@nephoran/shared";
import type { Logger } from "pino";
import type { AgentStore, StoredIntent, TrackedExpectation } from "../store";
import { observe } from "./hysteresis";
import { remedyFor, withRemedies } from "./remedy";
import type { MetricsSource } from "./prometheus";

export interface AssuranceOptions {
  readonly intervalMs: number;
  /** Intervals in a row a new state must be seen before it takes over. */
  readonly hysteresis: number;
  /** The rate window of the catalog's queries, in PromQL (`1m`). */
  readonly window: string;
  /** The closed loop acts on an NF at most once per cool-down. */
  readonly cooldownMs: number;
  /** How long every expectation on a scaled NF must be Fulfilled before it goes back to what was asked. */
  readonly scaleBackMs: number;
}

export const DEFAULT_ASSURANCE: AssuranceOptions = {
  intervalMs: 15_000,
  hysteresis: 2,
  window: "1m",
  cooldownMs: 120_000,
  scaleBackMs: 900_000,
};

export interface AssurancePass {
  readonly expectations: number;
  readonly changed: number;
  /** Closed-loop actions taken. */
  readonly remedied: number;
  readonly queries: number;
  readonly at: string;
}

/** How many queries run at once. */
const PARALLEL = 8;

export class Assurance {
  readonly #stop = new AbortController();
  #task: Promise<void> | undefined;
  #last: AssurancePass | undefined;

  constructor(
    private readonly deps: {
      readonly store: AgentStore;
      readonly catalog: Catalog;
      /** The site's metrics; without one every expectation is Unknown, and says why. */
      readonly source?: MetricsSource | undefined;
      readonly clock: Clock;
      readonly logger: Logger;
      /** Something changed: tell the hub. */
      readonly onChanged: () => void;
      /** The closed loop changed what runs: reconcile. */
      readonly onRemedied: () => void;
      readonly guardrails: GuardrailPolicy;
      readonly options: AssuranceOptions;
    },
  ) {}

  /** The last pass, for the status endpoint. */
  get last(): AssurancePass | undefined {
    return this.#last;
  }

  start(): void {
    this.#task ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#task;
  }

  async #run(): Promise<void> {
    const { clock, logger, options } = this.deps;
    while (!this.#stop.signal.aborted) {
      try {
        await this.evaluateOnce();
      } catch (e: unknown) {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, "assurance pass failed");
      }
      await clock.sleep(options.intervalMs, this.#stop.signal).catch(() => undefined);
    }
  }

  /** One pass over every intent with expectations. */
  async evaluateOnce(): Promise<AssurancePass> {
    const { store, clock, options } = this.deps;
    const now = clock.now().toISOString();
    const intents = store.listIntents().filter((i) => i.plan.expectations?.length);
    const measures = intents.map((i) => this.#measures(i));
    // A catalog query is asked once for every intent's pods (one series per pod), then split per intent;
    // any other query is asked once per pass, however many expectations share it.
    const podsBy = new Map<string, Set<string>>();
    for (const ms of measures)
      for (const m of ms)
        if ("batch" in m && m.batch) {
          const names = podsBy.get(m.batch.template) ?? new Set<string>();
          for (const n of m.batch.pods) names.add(n);
          podsBy.set(m.batch.template, names);
        }
    const limit = pool(PARALLEL);
    const perPod = new Map<string, Promise<ReadonlyMap<string, number>>>();
    const asked = new Map<string, Promise<number | undefined>>();
    const source = this.#source();
    const valueOf = async (m: Extract<Measure, { query: string }>): Promise<number | undefined> => {
      if (!m.batch) {
        let p = asked.get(m.query);
        if (!p) asked.set(m.query, (p = limit(() => source.query(m.query))));
        return p;
      }
      const { template, pods, across } = m.batch;
      let p = perPod.get(template);
      if (!p) {
        const q = fill(template, podsOf([...(podsBy.get(template) ?? [])]), options.window, true);
        perPod.set(template, (p = limit(() => source.series(q, "pod"))));
      }
      const byPod = await p;
      const values = [...byPod]
        .filter(([pod]) => pods.some((n) => pod.startsWith(`${n}-`)))
        .map(([, v]) => v);
      return combine(values, across);
    };
    const judged = await Promise.all(intents.map((i, k) => this.#judge(i, measures[k] ?? [], now, valueOf)));
    let expectations = 0;
    let changed = 0;
    let remedied = 0;
    judged.forEach((xs, k) => {
      const i = intents[k] as StoredIntent;
      expectations += xs.length;
      if (store.setExpectations(i.id, i.revision, xs)) changed++;
      if (
        i.plan.assurance?.remediate &&
        this.#remedy(
          i,
          xs.map((x) => x.status),
        )
      )
        remedied++;
    });
    if (changed || remedied) this.deps.onChanged();
    if (remedied) this.deps.onRemedied();
    this.#last = { expectations, changed, remedied, queries: asked.size + perPod.size, at: now };
    return this.#last;
  }

  /** One closed-loop step for a remediating intent, within the catalog's maximum and the guardrails. */
  #remedy(i: StoredIntent, expectations: readonly ExpectationStatus[]): boolean {
    const { store, catalog, clock, options, logger } = this.deps;
    const done = store.remediations(i.id).filter((r) => r.revision === i.revision);
    const r = remedyFor({
      plan: i.plan,
      expectations,
      done,
      maxReplicas: (nf) => catalog.get(nf)?.maxReplicas ?? 1,
      now: clock.now(),
      cooldownMs: options.cooldownMs,
      scaleBackMs: options.scaleBackMs,
    });
    if (!r) return false;
    const after = withRemedies(i.plan, [...done.filter((d) => d.nf !== r.nf), r]);
    const v = validatePlan(after, { catalog, policy: this.deps.guardrails });
    if (!v.ok) {
      logger.warn(
        { intentId: i.id, nf: r.nf, err: v.error.message },
        "closed loop: the guardrails refuse the step",
      );
      return false;
    }
    const stored = store.remediate({
      intentId: i.id,
      revision: i.revision,
      ...r,
      at: clock.now().toISOString(),
    });
    if (stored)
      logger.info({ intentId: i.id, nf: r.nf, replicas: r.replicas, reason: r.reason }, "closed loop acted");
    return stored !== undefined;
  }

  /** The site's metrics; asking without one fails, and the expectation says why. */
  #source(): MetricsSource {
    return (
      this.deps.source ?? {
        describe: "none",
        query: () => Promise.reject(new Error("no metrics source at this site (--metrics URL)")),
        series: () => Promise.reject(new Error("no metrics source at this site (--metrics URL)")),
      }
    );
  }

  /** How each of the intent's expectations is measured here. */
  #measures(i: StoredIntent): Measure[] {
    const { store, catalog, options } = this.deps;
    const nfs = store.nfStatus(i.id);
    return (i.plan.expectations ?? []).map((e) =>
      measureOf(e, i.plan, catalog, {
        workloads: (nf) => nfs.filter((s) => s.nf === nf).map((s) => s.name),
        window: options.window,
      }),
    );
  }

  async #judge(
    i: StoredIntent,
    measures: readonly Measure[],
    now: string,
    valueOf: (m: Extract<Measure, { query: string }>) => Promise<number | undefined>,
  ): Promise<TrackedExpectation[]> {
    const { store, options } = this.deps;
    const before = store.expectations(i.id);
    const expectations = i.plan.expectations ?? [];
    return Promise.all(
      expectations.map(async (e, index): Promise<TrackedExpectation> => {
        const m = measures[index] as Measure;
        let seen: Fulfilment = "Unknown";
        let measured: number | undefined;
        let message: string | undefined;
        if ("unmeasurable" in m) message = m.unmeasurable;
        else {
          try {
            measured = await valueOf(m);
            if (measured === undefined) message = `no data for ${e.target} on ${m.nf}`;
            else seen = judge(e, measured);
          } catch (err: unknown) {
            message = (err instanceof Error ? err.message : String(err)).slice(0, 500);
          }
        }
        // What was tracked for this expectation, unless the plan changed what it expects.
        const was = before[index];
        const same = was && was.status.target === e.target && was.status.value === e.value;
        const tracked = observe(
          same
            ? {
                state: was.status.state,
                since: was.status.since,
                ...(was.pending ? { pending: was.pending } : {}),
              }
            : undefined,
          seen,
          options.hysteresis,
          now,
        );
        const status: ExpectationStatus = {
          index,
          target: e.target,
          condition: e.condition,
          value: e.value,
          ...(m.nf ? { nf: m.nf } : {}),
          state: tracked.state,
          ...(measured !== undefined ? { measured } : {}),
          since: tracked.since,
          at: now,
          ...(message ? { message } : {}),
        };
        return { status, ...(tracked.pending ? { pending: tracked.pending } : {}) };
      }),
    );
  }
}

/** One value from an intent's pods: summed, the worst (largest), or their mean; none without data. */
function combine(values: readonly number[], across: "sum" | "max" | "avg"): number | undefined {
  if (!values.length) return undefined;
  if (across === "max") return Math.max(...values);
  const sum = values.reduce((a, b) => a + b, 0);
  return across === "sum" ? sum : sum / values.length;
}

/** Runs at most `n` of the functions given to it at once. */
function pool(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
