/**
 * Idempotency-Key on creating requests (POST /v1/intents, TMF921 create, /v1/enroll). A client whose answer
 * was lost (connection reset, the hub killed mid-request) sends the same request again with the same key:
 * it gets the first answer again instead of a second intent. The same key with another body is refused
 * (422); a request still in progress with the key answers 409. Answers are kept for a day, encrypted with a
 * key derived from the request body, so a stored answer (an enrollment's credential) is readable only by
 * whoever can send that exact body again.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";
import { ApiError, ApiErrorCode } from "./errors";

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** A claim older than this belongs to a request that died with its process; a retry may take it over. */
const STALE_CLAIM_MS = 30_000;
const KEY = /^[\x21-\x7e]{1,200}$/;

const sha = (label: string, body: string) => createHash("sha256").update(label).update(body).digest();

function seal(body: string, text: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", sha("nephoran-idempotency-key\0", body), iv);
  const data = Buffer.concat([c.update(text, "utf8"), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), data]).toString("base64");
}

function open(body: string, sealed: string): string {
  const raw = Buffer.from(sealed, "base64");
  const d = createDecipheriv("aes-256-gcm", sha("nephoran-idempotency-key\0", body), raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
}

/** A stable id for what a keyed request creates, so a re-run after a crash finds it instead of doubling it. */
export const idempotentId = (prefix: string, scope: string, key: string): string =>
  `${prefix}-${createHash("sha256").update(`${scope}\0${key}`).digest("hex").slice(0, 12)}`;

/**
 * The id a keyed request's new resource gets, from its idempotency key, so a re-run finds it; without a
 * key, none (the resource gets a fresh one, which nothing can hold yet: no need to look).
 */
export const keyedId = (
  prefix: string,
  idempotency: { scope: string; key: string } | undefined,
): { readonly id?: string } =>
  idempotency ? { id: idempotentId(prefix, idempotency.scope, idempotency.key) } : {};

export function idempotent(): MiddlewareHandler<AppEnv> {
  let lastPurge = 0;
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (key === undefined) return next();
    if (!KEY.test(key))
      throw new ApiError(
        400,
        ApiErrorCode.BadRequest,
        "Idempotency-Key is 1 to 200 printable ASCII characters (a UUID is a good choice)",
      );
    const { store, clock } = c.var.deps;
    const who = c.var.principal?.id ?? "anonymous";
    const scope = `${who} ${c.req.method} ${c.req.routePath}`;
    const body = await c.req.text();
    const bodyHash = sha("nephoran-idempotency-body\0", body).toString("hex");
    const now = clock.now();

    const found = await store.idempotency.get(scope, key);
    if (found) {
      if (found.bodyHash !== bodyHash)
        throw new ApiError(
          422,
          ApiErrorCode.IdempotencyKeyReused,
          "this Idempotency-Key was used with another request body; use a new key for a new request",
        );
      if (found.status > 0) {
        c.header("Idempotent-Replayed", "true");
        return c.body(open(body, found.response), found.status as 200, {
          "content-type": "application/json",
        });
      }
      if (now.getTime() - Date.parse(found.createdAt) < STALE_CLAIM_MS) {
        c.header("Retry-After", "1");
        throw new ApiError(409, ApiErrorCode.Conflict, "a request with this Idempotency-Key is in progress");
      }
      await store.idempotency.release(scope, key); // the claim of a request that died; this one takes over
    }
    if (!(await store.idempotency.claim(scope, key, bodyHash))) {
      c.header("Retry-After", "1");
      throw new ApiError(409, ApiErrorCode.Conflict, "a request with this Idempotency-Key is in progress");
    }
    c.set("idempotency", { scope, key });
    try {
      await next();
    } catch (e: unknown) {
      await store.idempotency.release(scope, key);
      throw e;
    }
    if (c.res.status >= 200 && c.res.status < 300) {
      const text = await c.res.clone().text();
      await store.idempotency.complete(scope, key, c.res.status, seal(body, text));
    } else await store.idempotency.release(scope, key);
    if (now.getTime() - lastPurge > 3600_000) {
      lastPurge = now.getTime();
      await store.idempotency.purgeBefore(new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString());
    }
  };
}
