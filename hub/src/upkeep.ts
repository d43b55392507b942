/**
 * The store's upkeep, on the leading replica (or the only hub): every few seconds, the rollup tally's
 * entries folded, so a rollup reads a few rows per intent however busy the fleet has been.
 */
import { every } from "@nephoran/shared";
import type { HubDeps } from "./deps";
import type { Leadership } from "./store";

export class StoreUpkeep {
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    private readonly deps: Pick<HubDeps, "store" | "clock" | "logger">,
    private readonly opts: { readonly intervalMs: number; readonly leadership?: Leadership },
  ) {}

  start(): void {
    this.#loop ??= every(
      this.deps.clock,
      this.opts.intervalMs,
      this.#abort.signal,
      () => this.once(),
      (e) => this.deps.logger.warn({ err: String(e) }, "upkeep: the store's upkeep failed"),
    );
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async once(): Promise<void> {
    if (this.opts.leadership && !(await this.opts.leadership.lead())) return;
    await this.deps.store.reports.fold();
  }
}
