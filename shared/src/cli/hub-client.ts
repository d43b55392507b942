/** A small client of the hub API for the CLI: base URL and token from flags or environment. */
import type { CliIo } from "./io";
import { EXIT, UsageError } from "./io";
import { whyUnreachable } from "../http/unreachable";

export interface HubClient {
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: unknown; headers: Headers }>;
  readonly url: string;
  readonly token: string;
}

export class HubCallError extends Error {
  override readonly name = "HubCallError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function hubClient(
  flags: { hub?: string | undefined; token?: string | undefined },
  io: CliIo,
): HubClient {
  const url = (flags.hub ?? io.env["NEPHORAN_HUB"] ?? "http://127.0.0.1:8080").replace(/\/$/, "");
  const token = flags.token ?? io.env["NEPHORAN_TOKEN"] ?? io.env["NEPHORAN_ADMIN_TOKEN"];
  if (!token) throw new UsageError("give an API token: --token T, or NEPHORAN_TOKEN in the environment");
  return {
    url,
    token,
    async request(method, path, body, headers = {}) {
      // A request with an Idempotency-Key may be sent again when its answer was lost: the hub answers a
      // repeat with the first answer instead of doing it twice.
      const retries = headers["idempotency-key"] ? RETRY_DELAYS_MS.length : 0;
      let res: Response | undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          res = await fetch(`${url}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body !== undefined ? { "content-type": "application/json" } : {}),
              ...headers,
            },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          });
          if (attempt >= retries || ![502, 503, 504].includes(res.status)) break;
        } catch (e: unknown) {
          if (attempt >= retries)
            throw new HubCallError(0, "UNREACHABLE", `cannot reach the hub at ${url}: ${whyUnreachable(e)}`);
        }
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      }
      const text = await res.text();
      const json: unknown = text ? JSON.parse(text) : null;
      if (res.status >= 400) {
        const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
        throw new HubCallError(
          res.status,
          err?.code ?? "HTTP_ERROR",
          `${err?.message ?? text} (HTTP ${res.status})`,
        );
      }
      return { status: res.status, json, headers: res.headers };
    },
  };
}

const RETRY_DELAYS_MS = [250, 1000, 3000];

export const CLIENT_FLAGS = {
  hub: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

/** Runs a command body that calls the hub: a refusal from the hub is one line and exit code 2. */
export async function guarded(io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e: unknown) {
    if (e instanceof HubCallError) {
      io.err(`nephoran: ${e.code}: ${e.message}\n`);
      return e.status >= 400 && e.status < 500 ? EXIT.refused : EXIT.failure;
    }
    throw e;
  }
}
