/**
 * API tokens and idempotency records in the SQLite store: who may call the API, and the answers a client
 * retrying a create gets again. Kept apart from intents and sites.
 */
import type Database from "better-sqlite3";
import type { ApiToken, IdempotentAnswer, NewApiToken } from "./types";
import { HubStoreError, StoreErrorCode } from "./types";

interface TokenRow {
  id: string;
  name: string;
  role: ApiToken["role"];
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

const TOKEN_COLUMNS = "id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at";

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** Last-used times are written at most once a minute per token: a busy client is not a write per call. */
const TOUCH_EVERY_MS = 60_000;

export class SqliteAccess {
  /** Lookups by hash are cached; a revocation drops the entry, so it takes effect on the next request. */
  readonly #byHash = new Map<string, ApiToken>();

  constructor(
    private readonly stmt: (sql: string) => Database.Statement,
    private readonly now: () => string,
  ) {}

  addApiToken(t: NewApiToken): ApiToken {
    this.stmt(
      "INSERT INTO api_tokens (id, name, role, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(t.id, t.name, t.role, t.hash, this.now(), t.createdBy ?? null, t.expiresAt ?? null);
    return this.getApiToken(t.id) as ApiToken;
  }

  tokenByHash(hash: string): ApiToken | undefined {
    const cached = this.#byHash.get(hash);
    if (cached) return cached;
    const r = this.stmt(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE hash = ?`).get(hash) as
      TokenRow | undefined;
    if (!r) return undefined;
    const token = toToken(r);
    if (this.#byHash.size >= 10_000) this.#byHash.clear();
    this.#byHash.set(hash, token);
    return token;
  }

  getApiToken(id: string): ApiToken | undefined {
    const r = this.stmt(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`).get(id) as
      TokenRow | undefined;
    return r ? toToken(r) : undefined;
  }

  listApiTokens(): ApiToken[] {
    return (
      this.stmt(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`).all() as TokenRow[]
    ).map(toToken);
  }

  countApiTokens(): number {
    return (this.stmt("SELECT count(*) AS n FROM api_tokens WHERE revoked_at IS NULL").get() as { n: number })
      .n;
  }

  revokeApiToken(id: string): ApiToken {
    const found = this.getApiToken(id);
    if (!found) throw new HubStoreError(StoreErrorCode.NotFound, `API token ${id} not found`);
    if (!found.revokedAt) this.stmt("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(this.now(), id);
    for (const [hash, t] of this.#byHash) if (t.id === id) this.#byHash.delete(hash);
    return this.getApiToken(id) as ApiToken;
  }

  touchApiToken(hash: string, at: Date): void {
    const token = this.tokenByHash(hash);
    if (!token) return;
    if (token.lastUsedAt && at.getTime() - Date.parse(token.lastUsedAt) < TOUCH_EVERY_MS) return;
    const iso = at.toISOString();
    this.stmt("UPDATE api_tokens SET last_used_at = ? WHERE hash = ?").run(iso, hash);
    this.#byHash.set(hash, { ...token, lastUsedAt: iso });
  }

  getIdempotent(scope: string, key: string): IdempotentAnswer | undefined {
    const r = this.stmt(
      "SELECT body_hash, status, response, created_at FROM idempotency WHERE scope = ? AND key = ?",
    ).get(scope, key) as
      { body_hash: string; status: number; response: string; created_at: string } | undefined;
    return r && { bodyHash: r.body_hash, status: r.status, response: r.response, createdAt: r.created_at };
  }

  /** Claims (scope, key) for a request about to run; false when another holds it. */
  claimIdempotent(scope: string, key: string, bodyHash: string): boolean {
    return (
      this.stmt(
        "INSERT OR IGNORE INTO idempotency (scope, key, body_hash, status, response, created_at) VALUES (?, ?, ?, 0, '', ?)",
      ).run(scope, key, bodyHash, this.now()).changes === 1
    );
  }

  completeIdempotent(scope: string, key: string, status: number, response: string): void {
    this.stmt("UPDATE idempotency SET status = ?, response = ? WHERE scope = ? AND key = ?").run(
      status,
      response,
      scope,
      key,
    );
  }

  purgeIdempotentKey(scope: string, key: string): void {
    this.stmt("DELETE FROM idempotency WHERE scope = ? AND key = ?").run(scope, key);
  }

  purgeIdempotent(before: string): number {
    return this.stmt("DELETE FROM idempotency WHERE created_at < ?").run(before).changes;
  }
}
