/**
 * Group commit: what is asked for while a write is under way is written by the next one, all together —
 * one transaction of multi-row statements instead of one per request (on PostgreSQL, each statement is a
 * round trip and each commit a flush). A lone request is written at once, as before. When a group's write
 * fails, each of its requests is written again alone, so one bad request fails by itself: `write` must
 * have written nothing when it fails (a transaction), and whatever it does after its commit must not throw.
 */
export class GroupCommit<I, O> {
  #queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #writing = false;

  constructor(
    /** Writes the items, all or none; their results in the same order. */
    private readonly write: (items: readonly I[]) => Promise<readonly O[]>,
    /** At most this many items to one write. */
    private readonly max = 64,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        // Requests that arrive in the same turn of the event loop go together from the first write on.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length) {
      const group = this.#queue.splice(0, this.max);
      try {
        const out = await this.write(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(out[i] as O));
      } catch (e) {
        if (group.length === 1) group[0]?.reject(e);
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
