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
import { remedyFor, sameSetting, withRemedies } from "./remedy";
import type { MetricsSource } from "./prometheus";
import { pool } from "../pool";

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
  /** How long the pass took, and the process CPU it used (user + system; concurrent work included). */
  readonly durationMs: number;
  readonly cpuMs: number;
}

/** How many queries run at once. */
const PARALLEL = 8;

export class Assurance {
  readonly #stop = new AbortController();
  #task: Promise<void> | undefined;
  /** Each intent's expectations as the store holds them (read at the first pass). */
  #stored: Map<string, TrackedExpectation[]> | undefined;
  /**
   * The intents as last read, by id, and how their expectations are measured: read again for a new revision,
   * measured anew when their workloads change.
   */
  readonly #read = new Map<string, Measured>();
  /** What the last pass asked, and of which intents' measures. */
  #asked: { readonly read: readonly Measured[]; readonly asks: Asks } | undefined;
  /**
   * What the last pass measured of each intent's expectations (NaN: nothing), and when. The rest of what it
   * found is what is stored: a pass stores an intent's expectations whenever anything else moved. Kept as
   * numbers, overwritten in place, so that a pass leaves little behind for the collector.
   */
  readonly #measured = new Map<string, Float64Array>();
  #measuredAt: string | undefined;
  /** The last passes, newest last (a few). */
  readonly #recent: AssurancePass[] = [];

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
    return this.#recent.at(-1);
  }

  /** An intent's expectations as last measured (the stored ones before the first pass). */
  current(intentId: string): ExpectationStatus[] {
    const stored = this.#stored?.get(intentId) ?? this.deps.store.expectations(intentId);
    const measured = this.#measured.get(intentId);
    const at = this.#measuredAt;
    if (!measured || at === undefined || measured.length !== stored.length)
      return stored.map((x) => x.status);
    return stored.map(({ status }, k) => {
      const { measured: _, ...rest } = status;
      const value = measured[k] as number;
      return Number.isNaN(value) ? { ...rest, at } : { ...rest, measured: value, at };
    });
  }

  /** The last ten passes, oldest first. */
  get recent(): readonly AssurancePass[] {
    return this.#recent;
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
    const started = performance.now();
    const cpu = process.cpuUsage();
    const now = clock.now().toISOString();
    const read = this.#intents();
    const intents = read.map((r) => r.intent);
    const measures = read.map((r) => r.measures);
    const { batched, singles: own } = this.#asks(read);
    // Every query asked (at most PARALLEL at once) and answered before any expectation is judged.
    const limit = pool(PARALLEL);
    const source = this.#source();
    const settle = <T>(p: Promise<T>): Promise<Answer<T>> =>
      p.then(
        (value) => ({ value }),
        (e: unknown) => ({ error: (e instanceof Error ? e.message : String(e)).slice(0, 500) }),
      );
    /** Per catalog query: the values of each workload's pods (a pod is `<workload>-<suffix>`). */
    const perPod = new Map<string, Promise<Answer<ReadonlyMap<string, number[]>>>>();
    for (const [template, { query, workloads }] of batched)
      perPod.set(
        template,
        settle(limit(async () => byWorkload(await source.series(query, "pod"), workloads))),
      );
    const asked = new Map<string, Promise<Answer<number | undefined>>>();
    for (const query of own) asked.set(query, settle(limit(() => source.query(query))));
    const batches = new Map(await Promise.all([...perPod].map(async ([k, p]) => [k, await p] as const)));
    const singles = new Map(await Promise.all([...asked].map(async ([k, p]) => [k, await p] as const)));
    const valueOf = (m: Exclude<Measure, { unmeasurable: string }>): Answer<number | undefined> => {
      if (!("batch" in m)) return singles.get(m.query) ?? { value: undefined };
      const a = batches.get(m.batch.template);
      if (!a || "error" in a) return a ?? { value: undefined };
      return { value: combine(m.batch.pods, a.value, m.batch.across) };
    };
    // What the store holds, read once; kept beside it from then on (the loop is its only writer).
    this.#stored ??= store.allExpectations();
    const stored = this.#stored;
    const befores = intents.map((i) => stored.get(i.id) ?? []);
    const judged = intents.map((i, k) => this.#judge(i, measures[k] ?? [], befores[k] ?? [], now, valueOf));
    let expectations = 0;
    let changed = 0;
    let remedied = 0;
    // One commit for the pass.
    store.atomically(() =>
      judged.forEach((xs, k) => {
        const i = intents[k] as StoredIntent;
        expectations += xs.length;
        let measured = this.#measured.get(i.id);
        if (measured?.length !== xs.length)
          this.#measured.set(i.id, (measured = new Float64Array(xs.length)));
        for (let j = 0; j < xs.length; j++) measured[j] = xs[j]?.status.measured ?? NaN;
        // Stored (and reported) when a state, its hysteresis or the set moved; a new measurement alone is
        // kept here, for the status endpoint, until then.
        if (moved(befores[k] ?? [], xs)) {
          if (store.setExpectations(i.id, i.revision, xs, befores[k])) changed++;
          stored.set(i.id, xs);
        }
        if (
          i.plan.assurance?.remediate &&
          this.#remedy(
            i,
            xs.map((x) => x.status),
          )
        )
          remedied++;
      }),
    );
    // Intents gone since: forgotten here too.
    const held = new Set(intents.map((i) => i.id));
    for (const m of [stored, this.#measured]) for (const id of m.keys()) if (!held.has(id)) m.delete(id);
    this.#measuredAt = now;
    if (changed || remedied) this.deps.onChanged();
    if (remedied) this.deps.onRemedied();
    const used = process.cpuUsage(cpu);
    const pass: AssurancePass = {
      expectations,
      changed,
      remedied,
      queries: asked.size + perPod.size,
      at: now,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      cpuMs: Math.round((used.user + used.system) / 100) / 10,
    };
    this.#recent.push(pass);
    if (this.#recent.length > 10) this.#recent.shift();
    return pass;
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
    const after = withRemedies(i.plan, [...done.filter((d) => !sameSetting(d, r)), r]);
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
      logger.info(
        { intentId: i.id, nf: r.nf, replicas: r.replicas, threshold: r.threshold, reason: r.reason },
        "closed loop acted",
      );
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

  /**
   * What a pass asks the metrics, worked out again only when what is measured changed: each catalog query
   * once for every intent's workloads (one series per pod, split per intent afterwards), and each other
   * query once, however many expectations share it.
   */
  #asks(read: readonly Measured[]): Asks {
    if (this.#asked?.read.length === read.length && this.#asked.read.every((r, k) => r === read[k]))
      return this.#asked.asks;
    const podsBy = new Map<string, Set<string>>();
    const singles = new Set<string>();
    for (const { measures } of read)
      for (const m of measures) {
        if ("unmeasurable" in m) continue;
        if (!("batch" in m)) {
          singles.add(m.query);
          continue;
        }
        const names = podsBy.get(m.batch.template) ?? new Set<string>();
        for (const n of m.batch.pods) names.add(n);
        podsBy.set(m.batch.template, names);
      }
    const batched = new Map(
      [...podsBy].map(([template, workloads]) => [
        template,
        { query: fill(template, podsOf([...workloads]), this.deps.options.window, true), workloads },
      ]),
    );
    const asks = { batched, singles };
    this.#asked = { read, asks };
    return asks;
  }

  /**
   * The intents held that expect something, each read (and its plan parsed) once per revision, with how
   * each expectation is measured over the workloads observed for it (worked out again when they change).
   */
  #intents(): Measured[] {
    const { store, catalog, options } = this.deps;
    const held = store.intentRevisions();
    const workloads = store.allWorkloads();
    let site: string | undefined;
    const everywhere = () => (site ??= [...workloads.values()].join(" "));
    const out: Measured[] = [];
    for (const { id, revision } of held) {
      let r = this.#read.get(id);
      if (r?.intent.revision !== revision) {
        const intent = store.getIntent(id);
        if (!intent) continue;
        // An intent measures the NFs it runs on its own instances; any other NF (a steering policy's RAN,
        // an NF an expectation names) on all of the site's.
        const { plan } = intent;
        const own = new Set(plan.actions.filter((a) => a.kind !== "policy").map((a) => a.nf));
        const onSite =
          plan.actions.some((a) => a.kind === "policy") ||
          (plan.expectations ?? []).some((e) => e.nf !== undefined && !own.has(e.nf));
        r = { intent, own, onSite, workloads: undefined, measures: [] };
      }
      const { plan } = r.intent;
      const { own, onSite } = r;
      const mine = workloads.get(id) ?? "";
      const at = onSite ? `${mine}|${everywhere()}` : mine;
      if (r.workloads !== at) {
        const names = (nf: string) =>
          (own.has(nf) ? mine : everywhere())
            .split(" ")
            .filter((w) => w.startsWith(`${nf}:`))
            .map((w) => w.slice(nf.length + 1));
        const measures = (plan.expectations ?? []).map((e) =>
          measureOf(e, plan, catalog, { workloads: names, window: options.window }),
        );
        r = { ...r, workloads: at, measures };
      }
      this.#read.set(id, r);
      if (r.measures.length) out.push(r);
    }
    if (this.#read.size > held.length) {
      const ids = new Set(held.map((h) => h.id));
      for (const id of this.#read.keys()) if (!ids.has(id)) this.#read.delete(id);
    }
    return out;
  }

  #judge(
    i: StoredIntent,
    measures: readonly Measure[],
    before: readonly TrackedExpectation[],
    now: string,
    valueOf: (m: Exclude<Measure, { unmeasurable: string }>) => Answer<number | undefined>,
  ): TrackedExpectation[] {
    const { options } = this.deps;
    const expectations = i.plan.expectations ?? [];
    return expectations.map((e, index): TrackedExpectation => {
      const m = measures[index] as Measure;
      let seen: Fulfilment = "Unknown";
      let measured: number | undefined;
      let message: string | undefined;
      if ("unmeasurable" in m) message = m.unmeasurable;
      else {
        const a = valueOf(m);
        if ("error" in a) message = a.error;
        else if (a.value === undefined) message = `no data for ${e.target} on ${m.nf}`;
        else {
          measured = a.value;
          seen = judge(e, measured);
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
      // Built field by field: thousands of these are made at every pass.
      const status: Mutable<ExpectationStatus> = {
        index,
        target: e.target,
        condition: e.condition,
        value: e.value,
        state: tracked.state,
        since: tracked.since,
        at: now,
      };
      if (m.nf) status.nf = m.nf;
      if (measured !== undefined) status.measured = measured;
      if (message) status.message = message;
      return tracked.pending ? { status, pending: tracked.pending } : { status };
    });
  }
}

/** A query's answer, or why there is none. */
type Answer<T> = { readonly value: T } | { readonly error: string };

/** An intent, the workloads observed for it (`nf:name …`), and how each of its expectations is measured. */
interface Measured {
  readonly intent: StoredIntent;
  /** The NFs the intent runs, and whether it measures any other (on every instance at the site). */
  readonly own: ReadonlySet<string>;
  readonly onSite: boolean;
  readonly workloads: string | undefined;
  readonly measures: readonly Measure[];
}

/** The queries of a pass: each catalog query over every intent's workloads, and the expectations' own. */
interface Asks {
  readonly batched: ReadonlyMap<string, { readonly query: string; readonly workloads: ReadonlySet<string> }>;
  readonly singles: ReadonlySet<string>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Whether what is stored of an intent's expectations no longer says what the pass found. */
function moved(before: readonly TrackedExpectation[], after: readonly TrackedExpectation[]): boolean {
  return (
    before.length !== after.length ||
    after.some((x, i) => {
      const b = before[i];
      return (
        b === undefined ||
        b.status.state !== x.status.state ||
        b.status.since !== x.status.since ||
        b.status.target !== x.status.target ||
        b.status.value !== x.status.value ||
        b.status.condition !== x.status.condition ||
        b.status.message !== x.status.message ||
        b.pending?.state !== x.pending?.state ||
        b.pending?.count !== x.pending?.count
      );
    })
  );
}

/** Each workload's pods' values, from series by pod (`<workload>-<suffix>`; a suffix may hold dashes). */
function byWorkload(byPod: ReadonlyMap<string, number>, names: ReadonlySet<string>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [pod, v] of byPod)
    for (let cut = pod.lastIndexOf("-"); cut > 0; cut = pod.lastIndexOf("-", cut - 1)) {
      const name = pod.slice(0, cut);
      if (!names.has(name)) continue;
      const values = out.get(name);
      if (values) values.push(v);
      else out.set(name, [v]);
      break;
    }
  return out;
}

/**
 * One value from the pods of an intent's workloads: summed, the worst (largest), or their mean; none without
 * data.
 */
function combine(
  workloads: readonly string[],
  byWorkload: ReadonlyMap<string, readonly number[]>,
  across: "sum" | "max" | "avg",
): number | undefined {
  let n = 0;
  let sum = 0;
  let max = -Infinity;
  for (const w of workloads)
    for (const v of byWorkload.get(w) ?? []) {
      n++;
      sum += v;
      if (v > max) max = v;
    }
  if (!n) return undefined;
  return across === "max" ? max : across === "sum" ? sum : sum / n;
}
