/**
 * A store's cache of a small table read on every request (sites by name, listeners): dropped on each local
 * change, before the write and again after it, and counted, so a read that was under way meanwhile (which
 * may have seen the table before the write landed) does not keep what it read.
 */
export interface Cached {
  /** Local changes so far. */
  changes?: number;
}

/** Runs a write to what `cache` holds, dropping it (`drop`) before and after. */
export async function changing<T>(cache: Cached, drop: () => void, write: () => Promise<T>): Promise<T> {
  const changed = () => {
    drop();
    cache.changes = (cache.changes ?? 0) + 1;
  };
  changed();
  try {
    return await write();
  } finally {
    changed();
  }
}

/** Reads what the cache will keep, and whether to keep it: no local change was made while it was read. */
export async function fresh<T>(cache: Cached, read: () => Promise<T>): Promise<{ value: T; keep: boolean }> {
  const before = cache.changes;
  const value = await read();
  return { value, keep: before === cache.changes };
}
