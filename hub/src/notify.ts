/**
 * TMF921 notifications: every listener registered at `/hub` whose `eventType=` query takes the event gets
 * IntentStatusChangeEvent (an intent's lifecycleStatus changed) and IntentReportCreateEvent (a new
 * fulfilment report), POSTed as JSON and signed — `X-Nephoran-Timestamp` and `X-Nephoran-Signature:
 * sha256=HMAC-SHA256(secret, timestamp + "." + body)` — so a receiver can trust them; retried with
 * exponential back-off while the receiver fails or is away. Where replicas share a store, the leader sends.
 */
import { createHmac, randomUUID } from "node:crypto";
import { backoffDelay, whyUnreachable } from "@nephoran/shared";
import { lifecycleStatus, toTmf, toTmfReport } from "./api/tmf921";
import type { HubDeps } from "./deps";
import type { HubEvent } from "./events";
import type { Leadership, ListenerRecord } from "./store";

export interface NotifierOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_NOTIFIER: NotifierOptions = {
  attempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  timeoutMs: 5_000,
};

type Notification = Record<string, unknown> & { eventType: string };

/** Signs a notification's body as its headers say. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Whether a listener's query (`eventType=A,B`, or none) takes an event type. */
const takes = (query: string | null, type: string) =>
  !query ||
  query
    .replace(/^eventType=/, "")
    .split(",")
    .includes(type);

const STATUS_EVENTS = new Set(["intent.created", "intent.updated", "intent.rollout", "intent.deleting"]);

export class Notifier {
  readonly #stop = new AbortController();
  readonly #sending = new Set<Promise<void>>();
  /** The lifecycleStatus last notified per intent. */
  readonly #status = new Map<string, string>();
  #unsubscribe: (() => void) | undefined;
  /** Deliveries given up on, and made. */
  readonly stats = { delivered: 0, failed: 0 };

  constructor(
    private readonly deps: Pick<HubDeps, "store" | "events" | "clock" | "logger"> & {
      readonly leadership?: Leadership;
    },
    private readonly options: NotifierOptions = DEFAULT_NOTIFIER,
  ) {}

  start(): void {
    this.#unsubscribe ??= this.deps.events.subscribe((e) => this.#track(this.#handle(e)));
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#stop.abort();
    await Promise.allSettled([...this.#sending]);
  }

  #track(p: Promise<void>): void {
    const t = p.catch((err: unknown) =>
      this.deps.logger.warn({ err: String(err) }, "notifications: an event was lost"),
    );
    this.#sending.add(t);
    void t.finally(() => this.#sending.delete(t));
  }

  async #handle(e: HubEvent): Promise<void> {
    const eventType =
      e.type === "intent.report" && e.reportId
        ? "IntentReportCreateEvent"
        : STATUS_EVENTS.has(e.type)
          ? "IntentStatusChangeEvent"
          : undefined;
    if (!eventType) return;
    // Asked first (a cached list): with nobody listening, an event costs no read (and a status is tracked
    // from the first event a listener hears).
    const to = (await this.deps.store.listeners.list()).filter((l) => takes(l.query, eventType));
    if (!to.length) return;
    const n = await this.#notification(e);
    if (!n) return;
    if (this.deps.leadership && !(await this.deps.leadership.lead())) return;
    for (const l of to) this.#track(this.#deliver(l, n));
  }

  async #notification(e: HubEvent): Promise<Notification | undefined> {
    const { store, clock } = this.deps;
    const base = (eventType: string) => ({
      "@type": eventType,
      eventId: randomUUID(),
      eventType,
      eventTime: clock.now().toISOString(),
      timeOccurred: e.at,
    });
    if (e.type === "intent.report" && e.reportId) {
      const [intent, report] = await Promise.all([
        store.intents.get(e.id),
        store.intentReports.get(e.id, e.reportId),
      ]);
      if (!intent || !report) return undefined;
      return {
        ...base("IntentReportCreateEvent"),
        event: { intentReport: toTmfReport(report, intent.name) },
      };
    }
    if (!STATUS_EVENTS.has(e.type)) return undefined;
    const intent = await store.intents.get(e.id);
    if (!intent) return undefined;
    const rollout = (await store.rollouts.latest(e.id))?.state;
    const status = lifecycleStatus(intent, rollout);
    if (this.#status.get(e.id) === status) return undefined;
    this.#status.set(e.id, status);
    return { ...base("IntentStatusChangeEvent"), event: { intent: toTmf(intent, rollout) } };
  }

  async #deliver(l: ListenerRecord, n: Notification): Promise<void> {
    const body = JSON.stringify(n);
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      const timestamp = String(this.deps.clock.now().getTime());
      let why: string;
      try {
        const res = await fetch(l.callback, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-nephoran-timestamp": timestamp,
            "x-nephoran-signature": signature(l.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.#stop.signal]),
        });
        await res.body?.cancel();
        if (res.ok) {
          this.stats.delivered++;
          return;
        }
        why = `answered ${res.status}`;
        // A refusal that will not change: not retried.
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
      } catch (e: unknown) {
        if (this.#stop.signal.aborted) return;
        why = whyUnreachable(e);
      }
      this.deps.logger.warn(
        { listener: l.id, eventType: n.eventType, attempt, why },
        "notification not delivered",
      );
      if (attempt === this.options.attempts) break;
      await this.deps.clock
        .sleep(
          backoffDelay(attempt - 1, { baseMs: this.options.baseDelayMs, maxMs: this.options.maxDelayMs }),
          this.#stop.signal,
        )
        .catch(() => undefined);
      if (this.#stop.signal.aborted) return;
    }
    this.stats.failed++;
    this.deps.logger.error({ listener: l.id, eventType: n.eventType }, "notification given up");
  }
}
