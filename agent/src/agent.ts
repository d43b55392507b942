/**
 * The agent: one per edge site. Owns the store, the target, the reconcile loop and (on Kubernetes)
 * the NetworkIntent mirror. It reconciles from the store at start, before and without any hub.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Clock, IntentPlan, LinkTuning, Priority, SiteSyncCredentials } from "@nephoran/shared";
import {
  Catalog,
  createAgentTransport,
  didYouMean,
  knownSitesOf,
  PlanningError,
  PlanningErrorCode,
  RulesPlanner,
  shortHash,
  systemClock,
  traceFields,
} from "@nephoran/shared";
import type { Logger } from "pino";
import { pino } from "pino";
import { A1Client, A1Enforcer, DEFAULT_A1 } from "./a1";
import { Assurance, PrometheusSource } from "./assurance";
import type { MetricsSource } from "./assurance";
import type { AgentConfig } from "./config";
import type { Ingester } from "./knowledge";
import { LocalKnowledge } from "./knowledge";
import type { SyncClientOptions } from "./sync/client";
import { SyncClient } from "./sync/client";
import { NetworkIntentMirror } from "./crd";
import type { LoopOptions, ReconcileResult, Watcher } from "./reconcile";
import { ReconcileLoop, Reconciler } from "./reconcile";
import { AgentStore } from "./store";
import type { Target } from "./target";
import { DirectoryTarget, KubernetesTarget, loadKubeConfig } from "./target";

export interface AgentDeps {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly loopOptions?: Partial<LoopOptions>;
  readonly syncOptions?: Partial<SyncClientOptions>;
  readonly link?: LinkTuning;
  /** How the knowledge base ingests its documents (in this process when not given). */
  readonly ingest?: Ingester;
  /** The site's metrics (else the configured Prometheus, if any). */
  readonly metrics?: MetricsSource;
}

export const AGENT_VERSION = "0.1.0";

export class Agent {
  readonly config: AgentConfig;
  readonly store: AgentStore;
  readonly target: Target;
  readonly catalog = new Catalog();
  readonly planner: RulesPlanner;
  readonly logger: Logger;
  readonly loop: ReconcileLoop;
  readonly mirror: NetworkIntentMirror | undefined;
  /** The site's knowledge base; its model loads on the first search. */
  readonly knowledge: LocalKnowledge;
  /** Measures each intent's expectations on the site's metrics. */
  readonly assurance: Assurance;
  readonly startedAt: Date;
  readonly #reconciler: Reconciler;
  readonly #clock: Clock;
  readonly #deps: AgentDeps;
  #sync: SyncClient | undefined;
  #syncError: string | undefined;
  #syncStarting: Promise<void> | undefined;

  constructor(config: AgentConfig, deps: AgentDeps = {}) {
    this.config = config;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.logger = (
      deps.logger ?? pino({ level: config.logLevel, mixin: traceFields }, pino.destination(2))
    ).child({
      site: config.site,
    });
    mkdirSync(config.dataDir, { recursive: true });
    this.store = AgentStore.open(join(config.dataDir, "agent.db"), { site: config.site, clock: this.#clock });
    this.planner = new RulesPlanner({ catalog: this.catalog, policy: config.guardrails });
    this.startedAt = this.#clock.now();
    this.knowledge = new LocalKnowledge({
      file: join(config.dataDir, "kb.db"),
      choice: config.knowledge,
      logger: this.logger.child({ component: "knowledge" }),
      ingest: deps.ingest,
    });

    const watchers: Watcher[] = [];
    if (config.target.kind === "kubernetes") {
      const k8s = new KubernetesTarget(loadKubeConfig(config.target.kubeconfig), config.site, {
        requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      });
      this.target = k8s;
      watchers.push((fn, signal) => k8s.watch(fn, signal));
      this.mirror = config.crd
        ? new NetworkIntentMirror({
            target: k8s,
            store: this.store,
            planner: this.planner,
            catalog: this.catalog,
            guardrails: config.guardrails,
            namespace: config.intentNamespace,
            ...(config.localIntentNamespaces ? { localNamespaces: config.localIntentNamespaces } : {}),
            clock: this.#clock,
            logger: this.logger.child({ component: "crd" }),
          })
        : undefined;
      const mirror = this.mirror;
      if (mirror) watchers.push((fn, signal) => mirror.watch(fn, signal));
    } else {
      this.target = new DirectoryTarget(config.target.dir);
      this.mirror = undefined;
    }
    this.#reconciler = new Reconciler({
      ...(config.a1
        ? {
            a1: new A1Enforcer({
              client: new A1Client(config.a1.url, this.#clock, {
                ...DEFAULT_A1,
                timeoutMs: config.a1.timeoutSeconds * 1000,
              }),
              store: this.store,
              logger: this.logger.child({ component: "a1" }),
            }),
          }
        : {}),
      store: this.store,
      target: this.target,
      catalog: this.catalog,
      site: config.site,
      clock: this.#clock,
      logger: this.logger.child({ component: "reconciler" }),
    });
    const a = config.assurance;
    this.assurance = new Assurance({
      store: this.store,
      catalog: this.catalog,
      source: deps.metrics ?? (a.metrics ? new PrometheusSource(a.metrics) : undefined),
      clock: this.#clock,
      logger: this.logger.child({ component: "assurance" }),
      onChanged: () => this.#sync?.poke(),
      onRemedied: () => this.loop.trigger("closed loop"),
      guardrails: config.guardrails,
      options: {
        intervalMs: a.intervalSeconds * 1000,
        hysteresis: a.hysteresis,
        window: a.window,
        // Never again before the last step can show: a rate window and the hysteresis' intervals after it.
        cooldownMs: Math.max(
          a.cooldownSeconds * 1000,
          durationMs(a.window) + a.hysteresis * a.intervalSeconds * 1000,
        ),
        scaleBackMs: a.scaleBackSeconds * 1000,
      },
    });
    this.loop = new ReconcileLoop(() => this.reconcileOnce(), {
      clock: this.#clock,
      logger: this.logger.child({ component: "loop" }),
      watchers,
      options: { relistMs: config.relistSeconds * 1000, ...deps.loopOptions },
    });
  }

  get clock(): Clock {
    return this.#clock;
  }

  /** One full pass: pick up local NetworkIntents, reconcile, report to the hub, publish status. */
  async reconcileOnce(): Promise<ReconcileResult> {
    if (this.mirror) await this.mirror.pickUp();
    const r = await this.#reconciler.reconcileOnce();
    // The hub hears of the phases as soon as they are known, not after the NetworkIntents are written.
    this.#sync?.poke();
    // Between passes, not inside the commit of a change the hub waits to hear acknowledged.
    this.store.checkpoint();
    if (this.mirror) await this.mirror.publish();
    return r;
  }

  start(): void {
    this.logger.info(
      { target: this.target.describe, intents: this.store.listIntents().length },
      "agent starting; reconciling from the local store",
    );
    this.loop.start();
    this.assurance.start();
    if (this.config.sync) this.#syncStarting = this.#startSync(this.config.sync);
  }

  /** The link to the hub, once it is set up (undefined for an agent that runs on its store alone). */
  get sync(): SyncClient | undefined {
    return this.#sync;
  }

  /** Why sync could not start, when it could not (a broken enrollment or transport configuration). */
  get syncError(): string | undefined {
    return this.#syncError;
  }

  async #startSync(creds: SiteSyncCredentials): Promise<void> {
    try {
      const transport = await createAgentTransport(creds, this.#deps.link);
      this.#sync = new SyncClient({
        store: this.store,
        transport,
        clock: this.#clock,
        logger: this.logger.child({ component: "sync" }),
        agentVersion: AGENT_VERSION,
        credentialId: creds.credentialId,
        onChanged: () => this.loop.trigger("hub change"),
        options: { heartbeatMs: this.config.heartbeatSeconds * 1000, ...this.#deps.syncOptions },
      });
      this.#sync.start();
    } catch (e: unknown) {
      // Without a link the site still runs on its store; say so loudly, in the log, /status and /readyz.
      this.#syncError = e instanceof Error ? e.message : String(e);
      this.logger.error({ err: this.#syncError }, "sync could not start");
    }
  }

  async stop(): Promise<void> {
    await this.#syncStarting;
    await this.#sync?.stop();
    await this.assurance.stop();
    await this.loop.stop();
    await this.knowledge.close();
    this.store.close();
    this.logger.info("agent stopped");
  }

  /**
   * Plans `text` offline and stores it as a local intent. The id comes from the text, so storing the
   * same sentence again changes nothing.
   */
  async addLocalIntent(
    text: string,
    priority?: Priority,
  ): Promise<{ id: string; plan: IntentPlan; stored: boolean; warnings: readonly string[] }> {
    const r = await this.planner.plan(text, { sites: knownSitesOf([this.config.site]) });
    if (!r.ok) throw r.error;
    const names = r.value.plan.sites?.names;
    if (names && !names.includes(this.config.site)) {
      const hint = names.length === 1 ? didYouMean(names[0] as string, [this.config.site]) : "";
      throw new PlanningError(
        PlanningErrorCode.Conflict,
        `this intent names ${names.join(", ")}, not this site (${this.config.site})${hint}; send it to the hub, or leave the site out`,
      );
    }
    const id = `local-${shortHash(text.trim().toLowerCase(), 12)}`;
    const stored = this.store.upsertIntent({
      id,
      name: text.slice(0, 200),
      text,
      plan: r.value.plan,
      revision: 1,
      priority: priority ?? r.value.plan.priority,
      origin: "local",
    });
    this.loop.trigger("local intent");
    return { id, plan: r.value.plan, stored, warnings: r.value.warnings };
  }
}

/** A PromQL duration (`30s`, `1m`) in milliseconds. */
function durationMs(d: string): number {
  const m = /^([0-9]+)(ms|s|m|h)$/.exec(d);
  if (!m) return 0;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
}
