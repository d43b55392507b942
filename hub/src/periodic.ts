/** A duty run every `intervalMs` from `start()` until `stop()`; a run that fails is reported and the next comes. */
import type { Clock } from "@nephoran/shared";
import { every } from "@nephoran/shared";

export class Periodic {
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly run: () => Promise<void>,
    private readonly failed: (e: unknown) => void,
  ) {}

  start(): void {
    this.#loop ??= every(this.clock, this.intervalMs, this.#abort.signal, this.run, this.failed);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }
}
