/** API tokens and site credentials: random, prefixed by kind, stored only as SHA-256 hashes. */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ApiToken, NewApiToken, TokenRepo } from "../store";

export const TOKEN_PREFIX = { api: "nph_", site: "nps_", enrollment: "npe_", signing: "nhs_" } as const;

export const newToken = (kind: keyof typeof TOKEN_PREFIX): string =>
  `${TOKEN_PREFIX[kind]}${randomBytes(24).toString("base64url")}`;

/** Tokens carry 192 random bits, so a fast hash is enough; the store never sees the token itself. */
export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export const newId = (prefix: string): string => `${prefix}-${randomUUID().replace(/-/g, "").slice(0, 12)}`;

/** Makes a new API token and stores its hash; the token itself is returned once, to be shown or handed on. */
export async function issueApiToken(
  tokens: Pick<TokenRepo, "add">,
  t: Omit<NewApiToken, "id" | "hash">,
): Promise<{ stored: ApiToken; token: string }> {
  const token = newToken("api");
  const stored = await tokens.add({ ...t, id: newId("tok"), hash: hashToken(token) });
  return { stored, token };
}
