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
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import type { ConsumerMessages } from "@nats-io/jetstream";
import type { HubLinkHandlers, HubTransport, LinkTuning } from "../transport";
import {
  DEFAULT_LINK,
  HUB_DIAL_MAX_WAIT_MS,
  NATS_HUB_CONSUMER,
  NATS_HUB_QUEUE,
  NATS_UP_STREAM,
  natsSubject,
} from "../transport";
import { CLOSE_DEADLINE_MS, withDeadline } from "./deadline";
import { connectOptions } from "./nats-link";
import { backoffDelay, systemClock } from "../../clock";

export class NatsHubTransport implements HubTransport {
  readonly describe: string;
  readonly queuesForAbsent = false;
  #nc: NatsConnection | undefined;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #ctl: Subscription | undefined;
  #closed = false;
  /** Aborted on close: a wait between dials ends at once. */
  readonly #abort = new AbortController();

  constructor(
    private readonly opts: { url: string; nkeySeed: string; streamReplicas?: number; link?: LinkTuning },
  ) {
    this.describe = `nats ${opts.url}`;
  }

  async start(h: HubLinkHandlers): Promise<void> {
    const nc = await this.#dial(h);
    this.#nc = nc;
    // JetStream answers once the server has (re)loaded the account and, in a cluster, elected a leader: the
    // manager (it asks for the account's JetStream) and each step below are tried again for a while.
    const jsm = await this.#settle(() => jetstreamManager(nc));
    const stream = {
      name: NATS_UP_STREAM,
      subjects: [natsSubject.allUp],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: 7 * 24 * 3600 * 1e9,
      duplicate_window: 120 * 1e9,
      num_replicas: this.opts.streamReplicas ?? 1,
    };
    // Replicas starting together race to make the stream and consumer.
    await this.#settle(async () => {
      try {
        await jsm.streams.info(NATS_UP_STREAM);
        await jsm.streams.update(NATS_UP_STREAM, stream);
      } catch {
        await jsm.streams.add(stream);
      }
    });
    await this.#settle(async () => {
      try {
        await jsm.consumers.info(NATS_UP_STREAM, NATS_HUB_CONSUMER);
      } catch {
        await jsm.consumers.add(NATS_UP_STREAM, {
          durable_name: NATS_HUB_CONSUMER,
          ack_policy: AckPolicy.Explicit,
          ack_wait: 30 * 1e9,
          max_ack_pending: 20_000,
        });
      }
    });
    const report = (e: unknown) => h.onError(e instanceof Error ? e : new Error(String(e)));
    // Hub replicas share the work: a control message reaches one of them (a queue group), as a report
    // reaches one through the shared durable consumer.
    this.#ctl = nc.subscribe(natsSubject.allCtl, {
      queue: NATS_HUB_QUEUE,
      callback: (err, m) => {
        if (err) return report(err);
        try {
          h.onUp(natsSubject.siteOfUp(m.subject), m.data)?.catch(report);
        } catch (e: unknown) {
          report(e);
        }
      },
    });
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") h.onLink(false);
        else if (s.type === "reconnect") h.onLink(true);
      }
    })().catch(report);
    h.onLink(true);
    const consumer = await jetstream(nc).consumers.get(NATS_UP_STREAM, NATS_HUB_CONSUMER);
    // The consume loop is supervised: if it ends or fails while the transport is open, it is said and
    // started again, so reports never silently stop being taken.
    this.#loop = (async () => {
      while (!this.#closed) {
        try {
          // Pull requests that expire in seconds: when a cluster server goes and the consumer's leader moves, a
          // request lost with it is renewed soon (the default, 30 s, stalls reports that long).
          const messages = await consumer.consume({ max_messages: 2000, expires: 5_000 });
          this.#messages = messages;
          for await (const m of messages) {
            let done: Promise<void> | void;
            try {
              done = h.onUp(natsSubject.siteOfUp(m.subject), m.data);
            } catch (e: unknown) {
              report(e);
              m.ack(); // refused as it stands: it would fail the same way again
              continue;
            }
            if (!done) m.ack();
            else
              done.then(
                () => m.ack(),
                (e: unknown) => (report(e), m.nak()),
              );
          }
          if (!this.#closed) report(new Error("the JetStream report consumer stopped; starting it again"));
        } catch (e: unknown) {
          if (this.#closed) return;
          report(e);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
  }

  /** Runs `step` until it succeeds, ten times at most, a second apart; a close ends the tries. */
  async #settle<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (e) {
        if (attempt >= 10 || this.#closed) throw e;
        await systemClock.sleep(1000, this.#abort.signal);
      }
    }
  }

  /**
   * The connection, dialled until the broker answers: each failure is said, with the wait before the next
   * dial (backing off up to HUB_DIAL_MAX_WAIT_MS). A close ends the dialling, and the start rejects.
   */
  async #dial(h: HubLinkHandlers): Promise<NatsConnection> {
    const link = this.opts.link ?? DEFAULT_LINK;
    for (let attempt = 0; ; attempt++) {
      try {
        const nc = await connect(connectOptions(this.opts.url, this.opts.nkeySeed, "nephoran-hub", link));
        if (!this.#closed) return nc;
        await nc.close();
      } catch (e: unknown) {
        if (!this.#closed) {
          const why = e instanceof Error ? e.message : String(e);
          const wait = backoffDelay(attempt, { baseMs: link.reconnectDelayMs, maxMs: HUB_DIAL_MAX_WAIT_MS });
          h.onError(
            new Error(
              `the hub cannot connect to its broker at ${this.opts.url} (${why}); dialling again in ${wait} ms`,
            ),
          );
          await systemClock.sleep(wait, this.#abort.signal);
        }
      }
      if (this.#closed) throw new Error(`the link to ${this.opts.url} was closed before it came up`);
    }
  }

  send(site: string, data: Uint8Array): void {
    this.#nc?.publish(natsSubject.down(site), data);
  }

  announce(): void {
    // NATS has no retained messages: a site learns its desired version from the snapshot on hello.
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    this.#ctl?.unsubscribe();
    this.#messages?.stop();
    await withDeadline(this.#loop, CLOSE_DEADLINE_MS);
    // The consumer is stopped; what is pending (acks, last answers) goes out, then the connection ends.
    if (this.#nc && !this.#nc.isClosed()) await withDeadline(this.#nc.flush(), CLOSE_DEADLINE_MS);
    await withDeadline(this.#nc?.close(), CLOSE_DEADLINE_MS);
  }
}
