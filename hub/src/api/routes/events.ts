/** Server-sent events: intent and site changes as they happen. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { requireRole } from "../../auth/middleware";
import type { HubEvent } from "../../events";
import type { AppEnv } from "../env";

const HEARTBEAT_MS = 15_000;

export function register(app: OpenAPIHono<AppEnv>): void {
  app.get("/v1/events", requireRole("viewer"), (c) =>
    streamSSE(c, async (stream) => {
      const queue: HubEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = c.var.deps.events.subscribe((e) => {
        queue.push(e);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      let id = 0;
      await stream.writeSSE({
        event: "ready",
        data: JSON.stringify({ at: c.var.deps.clock.now().toISOString() }),
      });
      while (!stream.aborted) {
        const e = queue.shift();
        if (e) {
          await stream.writeSSE({ event: e.type, id: String(++id), data: JSON.stringify(e) });
          continue;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, HEARTBEAT_MS);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
        if (!stream.aborted && queue.length === 0) await stream.write(": heartbeat\n\n");
      }
      unsubscribe();
    }),
  );
}
