/**
 * The agent: one per edge site. Owns the store, the target, the reconcile loop and (on Kubernetes)
 * the NetworkIntent mirror. It reconciles from the store at start, before and without any hub.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Clock, IntentPlan, Priority } from "@nephoran/shared";
import {
  Catalog,
  PlanningError,
  PlanningErrorCode,
  RulesPlanner,
  shortHash,
  systemClock,
} from "@nephoran/shared";
import type { Logger } from "pino";
import { pino } from "pino";
import type { AgentConfig } from "./config";
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
}

export class Agent {
  readonly config: AgentConfig;
  readonly store: AgentStore;
  readonly target: Target;
  readonly catalog = new Catalog();
  readonly planner: RulesPlanner;
  readonly logger: Logger;
  readonly loop: ReconcileLoop;
  readonly mirror: NetworkIntentMirror | undefined;
  readonly #reconciler: Reconciler;
  readonly #clock: Clock;

  constructor(config: AgentConfig, deps: AgentDeps = {}) {
    this.config = config;
    this.#clock = deps.clock ?? systemClock;
    this.logger = (deps.logger ?? pino({ level: config.logLevel }, pino.destination(2))).child({
      siteId: config.site,
    });
    mkdirSync(config.dataDir, { recursive: true });
    this.store = AgentStore.open(join(config.dataDir, "agent.db"), { site: config.site, clock: this.#clock });
    this.planner = new RulesPlanner({ catalog: this.catalog, policy: config.guardrails });

    const watchers: Watcher[] = [];
    if (config.target.kind === "kubernetes") {
      const kc = loadKubeConfig(config.target.kubeconfig);
      const k8s = new KubernetesTarget(kc, config.site, {
        requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      });
      this.target = k8s;
      watchers.push((fn, signal) => k8s.watch(fn, signal));
      this.mirror = config.crd
        ? new NetworkIntentMirror({
            kc,
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
      store: this.store,
      target: this.target,
      catalog: this.catalog,
      site: config.site,
      clock: this.#clock,
      logger: this.logger.child({ component: "reconciler" }),
    });
    this.loop = new ReconcileLoop(() => this.reconcileOnce(), {
      clock: this.#clock,
      logger: this.logger.child({ component: "loop" }),
      watchers,
      options: { relistMs: config.relistSeconds * 1000, ...deps.loopOptions },
    });
  }

  /** One full pass: pick up local NetworkIntents, reconcile, publish status. */
  async reconcileOnce(): Promise<ReconcileResult> {
    if (this.mirror) await this.mirror.pickUp();
    const r = await this.#reconciler.reconcileOnce();
    if (this.mirror) await this.mirror.publish();
    return r;
  }

  start(): void {
    this.logger.info(
      { target: this.target.describe, intents: this.store.listIntents().length },
      "agent starting; reconciling from the local store",
    );
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
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
    const r = await this.planner.plan(text);
    if (!r.ok) throw r.error;
    const names = r.value.plan.sites?.names;
    if (names && !names.includes(this.config.site)) {
      throw new PlanningError(
        PlanningErrorCode.Conflict,
        `this intent names ${names.join(", ")}, not this site (${this.config.site}); send it to the hub, or leave the site out`,
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
