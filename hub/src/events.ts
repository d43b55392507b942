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
    | "intent.rollout"
    | "intent.progress"
    | "intent.fulfilment"
    | "intent.report"
    | "site.enrolled"
    | "site.updated"
    | "site.presence"
    | "site.resync"
    | "site.deleted";
  readonly id: string;
  readonly at: string;
  readonly revision?: number;
  /** For intent.rollout: the state it is in and the stage under way. */
  readonly rollout?: { readonly state: string; readonly stage: number };
  /** For intent.fulfilment: the site, and the worst state among the intent's expectations there. */
  readonly site?: string;
  readonly fulfilment?: string;
  /** For intent.report: the new fulfilment report's id. */
  readonly reportId?: string;
  /** For site.presence: whether the site is heard from now. */
  readonly presence?: "online" | "offline";
}

export class EventBus {
  readonly #subscribers = new Set<(e: HubEvent) => void>();
  readonly #closing = new AbortController();

  /** Aborts when the hub stops: whoever streams events to a client ends the stream. */
  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  close(): void {
    this.#closing.abort();
  }
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
    // What is published in one turn of the event loop goes out as one notification (40 events at most: a
    // notification carries 8,000 bytes).
    let batch: HubEvent[] = [];
    const flush = () => {
      const events = batch;
      batch = [];
      for (let i = 0; i < events.length; i += 40)
        broadcast.send(CHANNEL, JSON.stringify({ origin, events: events.slice(i, i + 40) })).catch(onError);
    };
    this.#relay = (e) => {
      if (batch.push(e) === 1) setImmediate(flush);
    };
    const stop = await broadcast.listen(CHANNEL, (payload) => {
      try {
        const m = JSON.parse(payload) as { origin: string; events: HubEvent[] };
        if (m.origin !== origin) for (const e of m.events) this.#deliver(e);
      } catch (e) {
        onError(e);
      }
    });
    return async () => {
      this.#relay = undefined;
      flush();
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
