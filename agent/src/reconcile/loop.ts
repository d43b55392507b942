/**
 * The supervised reconcile loop: reconciles on start, on every change the watch reports, and at each
 * relist interval; backs off (bounded, jittered, reset on success) while the target is unreachable;
 * restarts the watch whenever it ends. stop() cuts every wait short.
 */
import type { Clock } from "@nephoran/shared";
import { backoffDelay } from "@nephoran/shared";
import type { Logger } from "pino";

/** A source of change notifications: runs until the signal aborts or its stream ends. */
export type Watcher = (onChange: (why: string) => void, signal: AbortSignal) => Promise<void>;
import type { ReconcileResult } from "./reconciler";

export type LoopState = "starting" | "reconciling" | "idle" | "backoff" | "stopped";

export interface LoopStatus {
  readonly state: LoopState;
  readonly lastSuccessAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly consecutiveFailures: number;
  readonly lastResult: ReconcileResult | null;
  readonly watchRestarts: number;
}

export interface LoopOptions {
  readonly relistMs: number;
  readonly debounceMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly random?: () => number;
}

export const DEFAULT_LOOP_OPTIONS: LoopOptions = {
  relistMs: 30_000,
  debounceMs: 200,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
};

export class ReconcileLoop {
  #state: LoopState = "starting";
  #lastSuccessAt: string | null = null;
  #lastAttemptAt: string | null = null;
  #lastError: string | null = null;
  #failures = 0;
  #lastResult: ReconcileResult | null = null;
  #watchRestarts = 0;
  #dirty = true;
  #wake = new AbortController();
  readonly #stop = new AbortController();
  #tasks: Promise<void>[] = [];
  readonly #listeners = new Set<(r: ReconcileResult) => void>();

  constructor(
    private readonly reconcile: () => Promise<ReconcileResult>,
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      watchers: readonly Watcher[];
      options?: Partial<LoopOptions>;
    },
  ) {}

  get options(): LoopOptions {
    return { ...DEFAULT_LOOP_OPTIONS, ...this.deps.options };
  }

  status(): LoopStatus {
    return {
      state: this.#state,
      lastSuccessAt: this.#lastSuccessAt,
      lastAttemptAt: this.#lastAttemptAt,
      lastError: this.#lastError,
      consecutiveFailures: this.#failures,
      lastResult: this.#lastResult,
      watchRestarts: this.#watchRestarts,
    };
  }

  /** Called after each successful pass. */
  onReconciled(fn: (r: ReconcileResult) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Asks for a pass soon (debounced). */
  trigger(why = "trigger"): void {
    this.deps.logger.debug({ why }, "reconcile requested");
    this.#dirty = true;
    this.#wake.abort();
  }

  start(): void {
    this.#tasks = [this.#run(), ...this.deps.watchers.map((w) => this.#watch(w))];
  }

  /** Stops the loop and its watch and waits for both to finish their current step. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake.abort();
    await Promise.allSettled(this.#tasks);
    this.#state = "stopped";
  }

  async #run(): Promise<void> {
    const { clock, logger } = this.deps;
    const o = this.options;
    while (!this.#stop.signal.aborted) {
      if (!this.#dirty) {
        this.#state = "idle";
        await this.#sleep(o.relistMs); // relist: a pass even when nothing was reported
      } else if (o.debounceMs > 0 && this.#lastAttemptAt) {
        // Passes start at least debounceMs apart, so a burst of changes shares one; a change that comes
        // after a quiet while is taken at once.
        const since = clock.now().getTime() - Date.parse(this.#lastAttemptAt);
        if (since < o.debounceMs) await clock.sleep(o.debounceMs - since, this.#stop.signal);
      }
      if (this.#stop.signal.aborted) break;
      this.#dirty = false;
      this.#state = "reconciling";
      this.#lastAttemptAt = clock.now().toISOString();
      try {
        const r = await this.reconcile();
        this.#lastResult = r;
        this.#lastSuccessAt = clock.now().toISOString();
        this.#lastError = null;
        this.#failures = 0;
        for (const fn of this.#listeners) fn(r);
      } catch (e: unknown) {
        this.#failures++;
        this.#lastError = (e as Error)?.message ?? String(e);
        this.#dirty = true;
        this.#state = "backoff";
        const delay = backoffDelay(this.#failures - 1, {
          baseMs: o.backoffBaseMs,
          maxMs: o.backoffMaxMs,
          ...(o.random ? { random: o.random } : {}),
        });
        logger.warn(
          { err: this.#lastError, failures: this.#failures, retryInMs: delay },
          "reconcile failed; backing off",
        );
        await clock.sleep(delay, this.#stop.signal);
      }
    }
  }

  async #watch(watcher: Watcher): Promise<void> {
    const { clock, logger } = this.deps;
    const o = this.options;
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      const began = clock.now().getTime();
      try {
        await watcher((why) => this.trigger(why), this.#stop.signal);
      } catch (e: unknown) {
        logger.warn({ err: (e as Error).message }, "watch failed");
      }
      if (this.#stop.signal.aborted) break;
      this.#watchRestarts++;
      // A watch that lived a while was healthy: restart at once; one that dies at once backs off.
      attempt = clock.now().getTime() - began > o.backoffMaxMs ? 0 : attempt + 1;
      this.trigger("watch restarted");
      await clock.sleep(
        backoffDelay(attempt, {
          baseMs: o.backoffBaseMs,
          maxMs: o.backoffMaxMs,
          ...(o.random ? { random: o.random } : {}),
        }),
        this.#stop.signal,
      );
    }
  }

  async #sleep(ms: number): Promise<void> {
    this.#wake = new AbortController();
    const both = AbortSignal.any([this.#wake.signal, this.#stop.signal]);
    if (this.#dirty) return;
    await this.deps.clock.sleep(ms, both);
  }
}
