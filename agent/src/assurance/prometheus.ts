/** The site's Prometheus, asked instant queries over its HTTP API (`/api/v1/query`). */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export class MetricsError extends Error {
  override readonly name = "MetricsError";
}

export interface MetricsSource {
  /** The query's value now: the sum of the series it returns, or undefined when it returns none. */
  query(promql: string): Promise<number | undefined>;
  /** The query's series now, by the value of one of their labels (series without a number left out). */
  series(promql: string, label: string): Promise<ReadonlyMap<string, number>>;
  readonly describe: string;
}

interface QueryAnswer {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: unknown };
}

export class PrometheusSource implements MetricsSource {
  readonly #base: string;

  constructor(
    url: string,
    private readonly timeoutMs = 5_000,
  ) {
    this.#base = url.replace(/\/+$/, "");
  }

  get describe(): string {
    return this.#base;
  }

  async query(promql: string): Promise<number | undefined> {
    return valueOf(await this.#ask(promql));
  }

  async series(promql: string, label: string): Promise<ReadonlyMap<string, number>> {
    const data = await this.#ask(promql);
    const out = new Map<string, number>();
    if (data.resultType !== "vector") return out;
    for (const s of data.result as { metric: Record<string, string>; value: [number, string] }[]) {
      const v = Number(s.value[1]);
      const k = s.metric[label];
      if (k !== undefined && Number.isFinite(v)) out.set(k, v);
    }
    return out;
  }

  /**
   * One instant query, asked with node's HTTP client: `fetch`'s streams allocate several times more per
   * answer, and an answer of a series per pod at every pass makes that the agent's largest garbage.
   */
  async #ask(promql: string): Promise<{ resultType: string; result: unknown }> {
    const url = new URL(`${this.#base}/api/v1/query`);
    const body = new URLSearchParams({ query: promql }).toString();
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(
        url,
        {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": Buffer.byteLength(body),
          },
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    }).catch((e: unknown) => {
      throw new MetricsError(`Prometheus at ${this.#base} did not answer: ${(e as Error).message}`);
    });
    let answer: QueryAnswer | undefined;
    try {
      answer = JSON.parse(text) as QueryAnswer;
    } catch {
      answer = undefined;
    }
    if (status < 200 || status > 299 || answer?.status !== "success" || !answer.data)
      throw new MetricsError(
        `Prometheus refused the query (${status}): ${answer?.error ?? "no answer"}`.slice(0, 300),
      );
    return answer.data;
  }
}

/** A scalar's value, or the sum over a vector's series; NaN (an empty histogram's quantile) is no data. */
function valueOf(data: { resultType: string; result: unknown }): number | undefined {
  const num = (v: unknown) => {
    const n = Number((v as [number, string])[1]);
    return Number.isFinite(n) ? n : undefined;
  };
  if (data.resultType === "scalar") return num(data.result);
  if (data.resultType !== "vector") return undefined;
  const values = (data.result as { value: [number, string] }[])
    .map((s) => num(s.value))
    .filter((v): v is number => v !== undefined);
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}
