/**
 * Sites coming and going, as events: presence is worked out from when a site was last heard, so nothing
 * changes in the store when a site falls silent. Every heartbeat the leading replica looks over the sites
 * and publishes `site.presence` for each whose presence moved since it last looked (the first look only
 * learns), so a console sees a site turn offline without asking.
 */
import type { HubDeps } from "./deps";
import { Periodic } from "./periodic";
import { onlineSince } from "./rollup";
import type { Leadership } from "./store";

export class PresenceWatch {
  readonly #loop: Periodic;
  /** Each site's presence at the last look; undefined before the first. */
  #seen: Map<string, "online" | "offline"> | undefined;

  constructor(
    private readonly deps: Pick<HubDeps, "store" | "clock" | "logger" | "events" | "presenceTimeoutMs">,
    private readonly opts: { readonly intervalMs: number; readonly leadership?: Leadership },
  ) {
    this.#loop = new Periodic(
      deps.clock,
      opts.intervalMs,
      () => this.look(),
      (e) => deps.logger.warn({ err: String(e) }, "presence: a look over the sites failed"),
    );
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One look: the sites whose presence moved, published. */
  async look(): Promise<void> {
    const { store, clock, events, presenceTimeoutMs } = this.deps;
    if (this.opts.leadership && !(await this.opts.leadership.lead())) {
      this.#seen = undefined;
      return;
    }
    const now = clock.now();
    const seen = new Map<string, "online" | "offline">();
    for (const [id, online] of await store.sites.presence(onlineSince(now, presenceTimeoutMs))) {
      const presence = online ? "online" : "offline";
      seen.set(id, presence);
      if (this.#seen && this.#seen.get(id) !== presence)
        events.publish({ type: "site.presence", id, presence, at: now.toISOString() });
    }
    this.#seen = seen;
  }
}
