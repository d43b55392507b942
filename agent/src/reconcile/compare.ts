/**
 * Drift check: does the live object carry everything the rendered one says? The server adds defaults
 * and status, so the rendered object only has to be contained in the live one.
 */
export function contains(actual: unknown, desired: unknown): boolean {
  if (desired === null || typeof desired !== "object") return normalize(actual) === normalize(desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return false;
    return desired.every((d, i) => contains(actual[i], d));
  }
  if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
  const a = actual as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(
    ([k, v]) => v === undefined || contains(a[k], v),
  );
}

/** Numbers and numeric strings compare as equal ("1" vs 1 in quantities the server may rewrite). */
function normalize(v: unknown): unknown {
  return typeof v === "number" ? String(v) : v;
}
