/** In-process change notifications (intents, sites) for server-sent events and, later, fan-out. */
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

  publish(e: HubEvent): void {
    for (const fn of this.#subscribers) fn(e);
  }

  subscribe(fn: (e: HubEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  get size(): number {
    return this.#subscribers.size;
  }
}
