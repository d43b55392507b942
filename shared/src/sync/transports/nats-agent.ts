/**
 * NATS: the hub publishes to `nephoran.site.<site>.down` (core NATS: the protocol's snapshot on every
 * reconnect is what makes delivery reliable, and a site away for a day needs no backlog). Agents publish to
 * reports to `nephoran.site.<site>.up`, which a JetStream work-queue stream keeps until the hub has
 * committed them: a report sent while the hub is down waits there, and the hub's durable consumer resumes
 * where it stopped. Hello, ack and heartbeat go by core NATS on `nephoran.site.<site>.ctl`: they are
 * repeated until answered, so they take the fastest path.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import type { AgentLinkHandlers, AgentTransport, LinkTuning } from "../transport";
import { DEFAULT_LINK, natsSubject } from "../transport";
import { systemClock } from "../../clock";
import { CLOSE_DEADLINE_MS, withDeadline } from "./deadline";
import { connectOptions } from "./nats-link";
import { RedialPacer } from "./redial";

export class NatsAgentTransport implements AgentTransport {
  readonly describe: string;
  #nc: NatsConnection | undefined;
  #closed = false;
  #ready = false;
  /** Aborted on close: a wait between dials ends at once. */
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(private readonly opts: { url: string; site: string; nkeySeed: string; link?: LinkTuning }) {
    this.describe = `nats ${opts.url}`;
  }

  start(h: AgentLinkHandlers): void {
    this.#running = this.#run(h).catch((e: unknown) =>
      h.onLost(`the link loop failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  async #run(h: AgentLinkHandlers): Promise<void> {
    const link = this.opts.link ?? DEFAULT_LINK;
    // One outage's pacing, for this loop's dials and the client's own redials alike.
    const pacer = new RedialPacer(link);
    while (!this.#closed) {
      try {
        const nc = await connect(
          connectOptions(this.opts.url, this.opts.nkeySeed, `nephoran-agent-${this.opts.site}`, link, () =>
            pacer.next(),
          ),
        );
        pacer.up();
        this.#nc = nc;
        if (this.#closed) {
          // Closed while dialling (an agent stopped as it started): close() found no connection to end.
          await nc.close();
          break;
        }
        const sub: Subscription = nc.subscribe(natsSubject.down(this.opts.site), {
          callback: (err, msg) => {
            if (!err) h.onDown(msg.data);
          },
        });
        await nc.flush();
        this.#ready = true;
        h.onReady();
        for await (const s of nc.status()) {
          if (s.type === "disconnect" || s.type === "staleConnection") {
            if (this.#ready) h.onLost(s.type);
            this.#ready = false;
          } else if (s.type === "reconnect") {
            pacer.up();
            // The client resubscribes before it flushes anything else; a flush proves the server has it.
            await nc.flush().catch(() => undefined);
            this.#ready = true;
            h.onReady();
          }
        }
        if (!nc.isClosed()) sub.unsubscribe(); // a closed connection has no subscriptions left to end
      } catch (e) {
        if (this.#ready) h.onLost(e instanceof Error ? e.message : String(e));
        this.#ready = false;
        if (this.#closed) break;
        await systemClock.sleep(pacer.next(), this.#abort.signal);
      }
    }
  }

  send(data: Uint8Array, durable = false): boolean {
    if (!this.#nc || !this.#ready) return false;
    try {
      this.#nc.publish(durable ? natsSubject.up(this.opts.site) : natsSubject.ctl(this.opts.site), data);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#ready = false;
    this.#abort.abort();
    // What was just published (the goodbye) goes out first: a close right after a publish would race it.
    if (this.#nc && !this.#nc.isClosed()) await withDeadline(this.#nc.flush(), CLOSE_DEADLINE_MS);
    await withDeadline(this.#nc?.close(), CLOSE_DEADLINE_MS);
    await withDeadline(this.#running, CLOSE_DEADLINE_MS);
  }
}
