/** Splits intent text into tokens: words, numbers (with an attached unit) and key=value pairs. */

export type Token =
  | { readonly kind: "word"; readonly raw: string; readonly lower: string }
  | { readonly kind: "num"; readonly raw: string; readonly value: number; readonly suffix: string }
  | { readonly kind: "kv"; readonly raw: string; readonly key: string; readonly value: string }
  | { readonly kind: "punct"; readonly raw: string };

const TOKEN =
  /\d+(?:\.\d+){2,}|[A-Za-z0-9][A-Za-z0-9_.\-/]*=[^\s,;()]+(?:,[A-Za-z0-9][A-Za-z0-9_.\-/]*=[^\s,;()]+)*|(?<![A-Za-z0-9])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[A-Za-z%][A-Za-z0-9%]*(?:-[A-Za-z0-9]+)*)?|[A-Za-z0-9@](?:[A-Za-z0-9_%'@-]|\.(?=[A-Za-z0-9]))*|[,;:()!?&]/g;

/** "5G", "4G", "5GC", "5G-core": names, not quantities. */
const GENERATION = /^[2-6]g(c|s|sa|nr)?(-[a-z0-9-]+)?$/i;

const NUMBER = /^(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)([A-Za-z%]*)$/;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // A typographic apostrophe ("don’t") is an apostrophe.
  for (const m of text.replaceAll("\u2019", "'").matchAll(TOKEN)) {
    const raw = m[0];
    if (/^[,;:()!?&]$/.test(raw)) {
      out.push({ kind: "punct", raw });
      continue;
    }
    if (raw.includes("=")) {
      for (const pair of raw.split(/,(?=[A-Za-z0-9][A-Za-z0-9_.\-/]*=)/)) {
        const i = pair.indexOf("=");
        out.push({ kind: "kv", raw: pair, key: pair.slice(0, i).toLowerCase(), value: pair.slice(i + 1) });
      }
      continue;
    }
    const num = GENERATION.test(raw) || /^\d+(\.\d+){2,}$/.test(raw) ? null : NUMBER.exec(raw);
    if (num) {
      out.push({
        kind: "num",
        raw,
        value: Number((num[1] as string).replace(/,/g, "")),
        suffix: (num[2] as string).toLowerCase(),
      });
      continue;
    }
    out.push({ kind: "word", raw, lower: raw.toLowerCase() });
  }
  return out;
}
