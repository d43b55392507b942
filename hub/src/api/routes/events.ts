/** Server-sent events: intent and site changes as they happen. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { requireRole } from "../../auth/middleware";
import type { HubEvent } from "../../events";
import type { AppEnv } from "../env";

const HEARTBEAT_MS = 15_000;

const EXAMPLE = `event: ready
data: {"at":"2026-11-30T10:00:00.000Z"}

event: intent.created
id: 1
data: {"type":"intent.created","id":"int-4f1c2a9e0b7d","revision":1,"at":"2026-11-30T10:00:01.000Z"}

: heartbeat
`;

export function register(app: OpenAPIHono<AppEnv>): void {
  // A stream, not a JSON answer: declared by hand so the reference lists it with the rest.
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/events",
    tags: ["events"],
    summary: "Server-sent events: intent and site changes as they happen (a heartbeat comment every 15 s)",
    responses: {
      200: {
        description:
          "an endless text/event-stream: first a `ready` event, then one event per change — intent.created, intent.updated, intent.deleting, intent.rollout (a staged rollout's step), intent.progress (sites reported on the intent), intent.fulfilment (a site's worst expectation, as it reports it), intent.report (a new fulfilment report), site.enrolled, site.updated, site.presence (a site heard from again, or no longer), site.resync, site.deleted — whose data is the JSON of the change",
        content: { "text/event-stream": { schema: z.string().openapi({ example: EXAMPLE }) } },
      },
    },
  });
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
      // The hub stopping ends the stream (a client reconnects to whichever hub answers next).
      const { closing } = c.var.deps.events;
      const ended = () => wake?.();
      closing.addEventListener("abort", ended);
      let id = 0;
      await stream.writeSSE({
        event: "ready",
        data: JSON.stringify({ at: c.var.deps.clock.now().toISOString() }),
      });
      while (!stream.aborted && !closing.aborted) {
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
        if (!stream.aborted && !closing.aborted && queue.length === 0) await stream.write(": heartbeat\n\n");
      }
      closing.removeEventListener("abort", ended);
      unsubscribe();
    }),
  );
}
