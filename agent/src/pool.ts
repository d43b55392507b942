/** Bounded concurrency for the agent's calls to the outside (the API server, the metrics source). */

/**
 * Requests the agent has in flight to its API server at once when applying or pruning: well inside what
 * a K3s server takes (hundreds), and where a 2-core server is busiest (half of kubectl's time for 300
 * objects; 8 at once took a quarter longer, 24 little less).
 */
export const APPLY_CONCURRENCY = 16;

/** Runs at most `n` of the functions given to it at once; the rest wait their turn, first come first served. */
export function pool(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
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

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * `fn` over every item, at most `n` at once; every call settles before this resolves, and the outcomes
 * come back in the items' order (whatever order they finished in).
 */
export function settleEach<I, T>(
  items: readonly I[],
  n: number,
  fn: (item: I) => Promise<T>,
): Promise<Settled<T>[]> {
  const limit = pool(n);
  return Promise.all(
    items.map((item) =>
      limit(() => fn(item)).then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, error }),
      ),
    ),
  );
}
