/**
 * LISTEN/NOTIFY between hub replicas on one PostgreSQL: a notification is sent on any pooled connection,
 * heard on one dedicated connection per channel, which is made again (every second) when it is lost —
 * what was sent meanwhile is not heard.
 */
import pg from "pg";
import type { Broadcast } from "./contract";

const RECONNECT_MS = 1_000;

/** A channel name as an SQL identifier. */
const ident = (channel: string): string => `"${channel.replace(/"/g, '""')}"`;

export function pgBroadcast(pool: pg.Pool, connectionString: string): Broadcast {
  return {
    send: async (channel, payload) => {
      await pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    listen: async (channel, fn) => {
      let stopped = false;
      let client: pg.Client | undefined;
      let retry: NodeJS.Timeout | undefined;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString });
        const lost = () => {
          if (client !== c) return;
          client = undefined;
          c.end().catch(() => undefined);
          if (!stopped) retry = setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS);
        };
        c.on("error", lost);
        c.on("end", lost);
        c.on("notification", (n) => {
          if (n.channel === channel && n.payload !== undefined) fn(n.payload);
        });
        client = c;
        try {
          await c.connect();
          await c.query(`LISTEN ${ident(channel)}`);
        } catch (e) {
          lost();
          throw e;
        }
      };
      await connect().catch(() => undefined); // it is made again in a second
      return async () => {
        stopped = true;
        clearTimeout(retry);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      };
    },
  };
}
