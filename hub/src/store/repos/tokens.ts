/**
 * API tokens and idempotency records: who may call the API, and the answers a client retrying a create
 * gets again. Token lookups by hash are cached; where other replicas write too, only for a moment.
 */
import type { IdempotencyRepo, TokenRepo } from "../contract";
import type { Sql } from "../sql";
import type { ApiToken, IdempotentAnswer, NewApiToken } from "../types";
import { HubStoreError, StoreErrorCode } from "../types";

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
/** How long a cached lookup stands where another replica may revoke the token. */
const SHARED_CACHE_MS = 1_000;

/** Lookups by hash, shared by a store and its transactions; a revocation drops the entry. */
export type TokenCache = Map<string, { token: ApiToken; at: number }>;

export class Tokens implements TokenRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
    private readonly cache: TokenCache = new Map(),
  ) {}

  async add(t: NewApiToken): Promise<ApiToken> {
    try {
      await this.sql.run(
        "INSERT INTO api_tokens (id, name, role, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [t.id, t.name, t.role, t.hash, this.now().toISOString(), t.createdBy ?? null, t.expiresAt ?? null],
      );
    } catch (e) {
      if (this.sql.dialect.isUniqueViolation(e))
        throw new HubStoreError(StoreErrorCode.Conflict, "an API token with this secret exists");
      throw e;
    }
    return (await this.get(t.id)) as ApiToken;
  }

  async byHash(hash: string): Promise<ApiToken | undefined> {
    const now = this.now().getTime();
    const cached = this.cache.get(hash);
    if (cached && (!this.sql.dialect.sharedWriters || now - cached.at < SHARED_CACHE_MS)) return cached.token;
    const r = await this.sql.get<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE hash = ?`, [hash]);
    if (!r) return undefined;
    const token = toToken(r);
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(hash, { token, at: now });
    return token;
  }

  async get(id: string): Promise<ApiToken | undefined> {
    const r = await this.sql.get<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = ?`, [id]);
    return r ? toToken(r) : undefined;
  }

  async list(): Promise<ApiToken[]> {
    return (
      await this.sql.all<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id`)
    ).map(toToken);
  }

  async countActive(): Promise<number> {
    const r = await this.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM api_tokens WHERE revoked_at IS NULL",
    );
    return Number(r?.n ?? 0);
  }

  async revoke(id: string): Promise<ApiToken> {
    await this.sql.run("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
      this.now().toISOString(),
      id,
    ]);
    for (const [hash, t] of this.cache) if (t.token.id === id) this.cache.delete(hash);
    const found = await this.get(id);
    if (!found) throw new HubStoreError(StoreErrorCode.NotFound, `API token ${id} not found`);
    return found;
  }

  async touch(hash: string, at: Date): Promise<void> {
    const token = await this.byHash(hash);
    if (!token) return;
    if (token.lastUsedAt && at.getTime() - Date.parse(token.lastUsedAt) < TOUCH_EVERY_MS) return;
    const iso = at.toISOString();
    await this.sql.run("UPDATE api_tokens SET last_used_at = ? WHERE hash = ?", [iso, hash]);
    this.cache.set(hash, { token: { ...token, lastUsedAt: iso }, at: this.now().getTime() });
  }
}

export class Idempotency implements IdempotencyRepo {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  async get(scope: string, key: string): Promise<IdempotentAnswer | undefined> {
    const r = await this.sql.get<{ body_hash: string; status: number; response: string; created_at: string }>(
      "SELECT body_hash, status, response, created_at FROM idempotency WHERE scope = ? AND key = ?",
      [scope, key],
    );
    return r && { bodyHash: r.body_hash, status: r.status, response: r.response, createdAt: r.created_at };
  }

  async claim(scope: string, key: string, bodyHash: string): Promise<boolean> {
    const n = await this.sql.run(
      `INSERT INTO idempotency (scope, key, body_hash, status, response, created_at) VALUES (?, ?, ?, 0, '', ?)
         ON CONFLICT (scope, key) DO NOTHING`,
      [scope, key, bodyHash, this.now().toISOString()],
    );
    return n === 1;
  }

  async complete(scope: string, key: string, status: number, response: string): Promise<void> {
    await this.sql.run("UPDATE idempotency SET status = ?, response = ? WHERE scope = ? AND key = ?", [
      status,
      response,
      scope,
      key,
    ]);
  }

  async release(scope: string, key: string): Promise<void> {
    await this.sql.run("DELETE FROM idempotency WHERE scope = ? AND key = ?", [scope, key]);
  }

  purgeBefore(before: string): Promise<number> {
    return this.sql.run("DELETE FROM idempotency WHERE created_at < ?", [before]);
  }
}
