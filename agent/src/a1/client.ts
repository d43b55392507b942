/**
 * The near-RT RIC's A1 policy interface as the O-RAN SC A1 mediator serves it (`/a1-p/…`): put a policy
 * instance, read its enforcement status, delete it. A transient failure (503, a timeout, the RIC away) is
 * retried with back-off; a refusal (400, 404 on put) is not.
 */
import type { Clock } from "@nephoran/shared";
import { backoffDelay, whyUnreachable } from "@nephoran/shared";

export class A1Error extends Error {
  override readonly name = "A1Error";
  constructor(
    message: string,
    /** Whether trying again may help. */
    readonly retry: boolean,
  ) {
    super(message);
  }
}

export interface A1Status {
  readonly enforceStatus: "ENFORCED" | "NOT_ENFORCED";
  readonly enforceReason?: string;
}

export interface A1Options {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly baseDelayMs: number;
}

export const DEFAULT_A1: A1Options = { timeoutMs: 5_000, attempts: 3, baseDelayMs: 250 };

export class A1Client {
  readonly #base: string;

  constructor(
    url: string,
    private readonly clock: Clock,
    private readonly options: A1Options = DEFAULT_A1,
  ) {
    this.#base = url.replace(/\/+$/, "");
  }

  get describe(): string {
    return this.#base;
  }

  #path(typeId: number, id: string, tail = ""): string {
    return `${this.#base}/a1-p/policytypes/${typeId}/policies/${encodeURIComponent(id)}${tail}`;
  }

  /** Creates or replaces the instance (202: the RIC took it). */
  async put(typeId: number, id: string, body: Record<string, unknown>): Promise<void> {
    await this.#call("PUT", this.#path(typeId, id), [202], JSON.stringify(body));
  }

  /** The instance's enforcement status, or undefined when the RIC has no such instance. */
  async status(typeId: number, id: string): Promise<A1Status | undefined> {
    const res = await this.#call("GET", this.#path(typeId, id, "/status"), [200, 404]);
    if (res.status === 404) return undefined;
    const s = (await res.json().catch(() => undefined)) as Partial<A1Status> | undefined;
    if (s?.enforceStatus !== "ENFORCED" && s?.enforceStatus !== "NOT_ENFORCED")
      throw new A1Error(`the RIC's status of policy ${id} is not one A1 defines`, true);
    return s as A1Status;
  }

  /** Deletes the instance; one the RIC does not have is gone already. */
  async delete(typeId: number, id: string): Promise<void> {
    await this.#call("DELETE", this.#path(typeId, id), [202, 204, 404]);
  }

  async #call(method: string, url: string, ok: readonly number[], body?: string): Promise<Response> {
    let last: A1Error | undefined;
    for (let attempt = 0; attempt < this.options.attempts; attempt++) {
      if (attempt)
        await this.clock.sleep(backoffDelay(attempt - 1, { baseMs: this.options.baseDelayMs, maxMs: 5_000 }));
      try {
        const res = await fetch(url, {
          method,
          ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body }),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        if (ok.includes(res.status)) return res;
        const text = (await res.text().catch(() => "")).slice(0, 200);
        last = new A1Error(
          `${method} ${new URL(url).pathname}: the RIC answered ${res.status}${text ? ` (${text})` : ""}`,
          res.status >= 500 || res.status === 429,
        );
        if (!last.retry) throw last;
      } catch (e: unknown) {
        if (e instanceof A1Error && !e.retry) throw e;
        last =
          e instanceof A1Error
            ? e
            : new A1Error(`the RIC at ${this.#base} did not answer: ${whyUnreachable(e)}`, true);
      }
    }
    throw last as A1Error;
  }
}
