/** "Did you mean …": the candidates closest to a mistyped word. */

/** Edits between two strings, a swap of neighbours counting as one ("egde" → "edge"). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      let best = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The candidates nearest to `word` within a typo's reach (one edit for short words, two from six letters
 * on), at most `limit`; none when `word` is itself a candidate.
 */
export function nearest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const w = word.toLowerCase();
  const reach = w.length >= 6 ? 2 : 1;
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    if (c === w) return [];
    if (Math.abs(c.length - w.length) > reach) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d <= reach) scored.push({ c, d });
  }
  const best = Math.min(...scored.map((x) => x.d));
  return scored
    .filter((x) => x.d === best)
    .sort((x, y) => x.c.localeCompare(y.c))
    .slice(0, limit)
    .map((x) => x.c);
}

/** ` (did you mean "a" or "b"?)`, or "" when nothing is near. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = nearest(word, candidates);
  if (near.length === 0) return "";
  return ` (did you mean ${near.map((n) => `"${n}"`).join(" or ")}?)`;
}
