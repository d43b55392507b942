import { createHash } from "node:crypto";

export const shortHash = (s: string, n = 8): string =>
  createHash("sha256").update(s).digest("hex").slice(0, n);

/**
 * A deterministic DNS-1035 name ("<nf>-<intent>") of at most `max` characters; a longer one is cut
 * and given a hash suffix so that different inputs never collide.
 */
export function objectName(nf: string, intentId: string, max = 52): string {
  const raw = `${nf}-${intentId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (raw.length <= max) return raw;
  return `${raw.slice(0, max - 9).replace(/-$/, "")}-${shortHash(raw)}`;
}
