/**
 * Intent assurance at the site: every interval, each expectation of each intent is measured on the site's
 * metrics, judged against its condition, and moved through hysteresis into Fulfilled, Degraded, NotFulfilled
 * or Unknown; a change is stored and queued for the hub (the outbox, so it survives a link that is down).
 * Supervised: a failed pass is logged and the next one runs on time.
 */
import type { Catalog, Clock, ExpectationStatus, Fulfilment, GuardrailPolicy } from "@nephoran/shared";
import { judge, measureOf, validatePlan } from "@nephoran/shared";
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
    const { store, clock } = this.deps;
    const now = clock.now().toISOString();
    const intents = store.listIntents().filter((i) => i.plan.expectations?.length);
    // The same query asked once per pass, however many expectations share it.
    const asked = new Map<string, Promise<number | undefined>>();
    const limit = pool(PARALLEL);
    const ask = (q: string) => {
      let p = asked.get(q);
      if (!p) asked.set(q, (p = limit(() => this.#query(q))));
      return p;
    };
    const judged = await Promise.all(intents.map((i) => this.#intent(i, now, ask)));
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
    this.#last = { expectations, changed, remedied, queries: asked.size, at: now };
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

  async #query(q: string): Promise<number | undefined> {
    if (!this.deps.source) throw new Error("no metrics source");
    return this.deps.source.query(q);
  }

  async #intent(
    i: StoredIntent,
    now: string,
    ask: (q: string) => Promise<number | undefined>,
  ): Promise<TrackedExpectation[]> {
    const { store, catalog, options, source } = this.deps;
    const nfs = store.nfStatus(i.id);
    const before = store.expectations(i.id);
    const expectations = i.plan.expectations ?? [];
    return Promise.all(
      expectations.map(async (e, index): Promise<TrackedExpectation> => {
        const m = measureOf(e, i.plan, catalog, {
          workloads: (nf) => nfs.filter((s) => s.nf === nf).map((s) => s.name),
          window: options.window,
        });
        let seen: Fulfilment = "Unknown";
        let measured: number | undefined;
        let message: string | undefined;
        if ("unmeasurable" in m) message = m.unmeasurable;
        else if (!source) message = "no metrics source at this site (--metrics URL)";
        else {
          try {
            measured = await ask(m.query);
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
