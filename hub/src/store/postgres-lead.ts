/**
 * Leadership among hub replicas on one PostgreSQL: a session advisory lock held on a connection of its own.
 * The replica holding it leads; when that replica dies its connection closes and the lock is free at once.
 * Its duties ask at their own pace: callers that ask while a check is on the wire share that check's answer
 * (one connection runs one query at a time).
 */
import pg from "pg";
import type { Leadership } from "./contract";

const LEAD_LOCK = 0x4e45_5048_0003n;

export function pgLeadership(connectionString: string): Leadership {
  let client: pg.Client | undefined;
  let leading = false;
  let asking: Promise<boolean> | undefined;
  const drop = () => {
    const c = client;
    client = undefined;
    leading = false;
    c?.end().catch(() => undefined);
  };
  const check = async (): Promise<boolean> => {
    try {
      if (!client) {
        const c = new pg.Client({ connectionString });
        c.on("error", () => {
          if (client === c) drop();
        });
        client = c;
        await c.connect();
      }
      if (leading) await client.query("SELECT 1");
      else
        leading =
          (await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LEAD_LOCK}) AS ok`)).rows[0]
            ?.ok === true;
      return leading;
    } catch {
      drop();
      return false;
    }
  };
  return {
    lead: () =>
      (asking ??= check().finally(() => {
        asking = undefined;
      })),
    release: async () => {
      const c = client;
      client = undefined;
      leading = false;
      await c?.end().catch(() => undefined);
    },
  };
}
