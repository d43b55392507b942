/**
 * Reads by key asked for in one turn of the event loop, answered by one read of them all: a fan-out's
 * thousands of acknowledgements, arriving together, look up their sites in a few queries instead of one
 * each (on PostgreSQL, one round trip each).
 */
export class BatchedReads<K, V> {
  #waiting = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();

  constructor(
    private readonly readAll: (keys: K[]) => Promise<Map<K, V>>,
    /** At most this many keys to one read. */
    private readonly max = 1000,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.#waiting.size) setImmediate(() => this.#flush());
      const list = this.#waiting.get(key);
      if (list) list.push({ resolve, reject });
      else this.#waiting.set(key, [{ resolve, reject }]);
    });
  }

  #flush(): void {
    const batch = [...this.#waiting];
    this.#waiting = new Map();
    for (let i = 0; i < batch.length; i += this.max) {
      const part = batch.slice(i, i + this.max);
      // Run as a promise's step: a reader that throws rather than rejects fails its waiters, not the process.
      Promise.resolve(part.map(([k]) => k))
        .then((keys) => this.readAll(keys))
        .then(
          (got) => {
            for (const [k, ws] of part) for (const w of ws) w.resolve(got.get(k));
          },
          (e: unknown) => {
            for (const [, ws] of part) for (const w of ws) w.reject(e);
          },
        );
    }
  }
}
