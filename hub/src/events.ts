/**
 * Change notifications (intents, sites) for server-sent events. In-process; joined to a Broadcast, what
 * one hub replica publishes reaches the subscribers of every replica on the same database.
 */
import type { Broadcast } from "./store";

const CHANNEL = "nephoran_events";

export interface HubEvent {
  readonly type:
    | "intent.created"
    | "intent.updated"
    | "intent.deleting"
    | "site.enrolled"
    | "site.updated"
    | "site.resync"
    | "site.deleted";
  readonly id: string;
  readonly at: string;
  readonly revision?: number;
}

export class EventBus {
  readonly #subscribers = new Set<(e: HubEvent) => void>();
  #relay: ((e: HubEvent) => void) | undefined;

  publish(e: HubEvent): void {
    this.#deliver(e);
    this.#relay?.(e);
  }

  #deliver(e: HubEvent): void {
    for (const fn of this.#subscribers) fn(e);
  }

  /**
   * Makes this bus one of several: events published here are sent to the others (tagged with `origin`, so
   * this bus skips its own when they come back), and theirs are delivered here. Returns how to leave.
   */
  async join(
    broadcast: Broadcast,
    origin: string,
    onError: (e: unknown) => void,
  ): Promise<() => Promise<void>> {
    this.#relay = (e) => void broadcast.send(CHANNEL, JSON.stringify({ origin, event: e })).catch(onError);
    const stop = await broadcast.listen(CHANNEL, (payload) => {
      try {
        const m = JSON.parse(payload) as { origin: string; event: HubEvent };
        if (m.origin !== origin) this.#deliver(m.event);
      } catch (e) {
        onError(e);
      }
    });
    return async () => {
      this.#relay = undefined;
      await stop();
    };
  }

  subscribe(fn: (e: HubEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  get size(): number {
    return this.#subscribers.size;
  }
}
