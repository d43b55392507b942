/**
 * Group commit: what is asked for while a write is under way is written by the next one, all together —
 * one transaction of multi-row statements instead of one per request (on PostgreSQL, each statement is a
 * round trip and each commit a flush). A lone request is written at once, as before. When a group's write
 * fails, each of its requests is written again alone, so one bad request fails by itself — unless the
 * failure is none of theirs (`alone` says no: a database that cannot be reached fails them all at once).
 * `write` must have written nothing when it fails (a transaction), and what it does after its commit must
 * not throw.
 */
import { AsyncResource } from "node:async_hooks";

/**
 * Made when this module loads, outside any request: a group's write runs in it, so it belongs to no one
 * request's context (its trace, its log fields) however it was started.
 */
const OUTSIDE = new AsyncResource("nephoran.group-commit");

export class GroupCommit<I, O> {
  #queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #writing = false;

  constructor(
    /** Writes the items, all or none; their results in the same order. */
    private readonly write: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly opts: {
      /** At most this many items to one write. */
      readonly max?: number;
      /** Whether a group that failed so is worth writing again one by one (yes when not given). */
      readonly alone?: (e: unknown) => boolean;
    } = {},
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        // Requests that arrive in the same turn of the event loop go together from the first write on.
        setImmediate(() => OUTSIDE.runInAsyncScope(() => void this.#drain()));
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length) {
      const group = this.#queue.splice(0, this.opts.max ?? 64);
      try {
        const out = await this.write(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(out[i] as O));
      } catch (e) {
        if (group.length === 1 || this.opts.alone?.(e) === false) for (const g of group) g.reject(e);
        else
          for (const g of group)
            await Promise.resolve([g.item])
              .then((one) => this.write(one))
              .then(
                (out) => g.resolve(out[0] as O),
                (err: unknown) => g.reject(err),
              );
      }
    }
    this.#writing = false;
  }
}
