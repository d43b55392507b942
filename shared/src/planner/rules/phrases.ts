/**
 * Longest-first matching of multi-word phrases over word tokens. Hyphens and spaces are the same
 * ("near-RT RIC" = "near rt ric"), and a match covers whole tokens only, so "upf" is never found
 * inside a site named "edge-upf-01".
 */
import type { Token } from "./lexer";

export interface PhraseMatch<V> {
  readonly value: V;
  /** Token index range [start, end). */
  readonly start: number;
  readonly end: number;
}

interface Entry<V> {
  readonly parts: readonly string[];
  readonly value: V;
  readonly plural: boolean;
}

interface Part {
  readonly text: string;
  readonly token: number;
  readonly first: boolean;
  readonly last: boolean;
}

const splitWords = (s: string): string[] =>
  s
    .toLowerCase()
    .split(/[\s-]+/)
    .filter(Boolean);

export class PhraseTable<V> {
  readonly #byFirst = new Map<string, Entry<V>[]>();

  add(phrase: string, value: V, options: { plural?: boolean } = {}): this {
    const parts = splitWords(phrase);
    const first = parts[0];
    if (!first) return this;
    const list = this.#byFirst.get(first) ?? [];
    list.push({ parts, value, plural: options.plural ?? false });
    list.sort((a, b) => b.parts.length - a.parts.length);
    this.#byFirst.set(first, list);
    return this;
  }

  /** Candidates whose first word is `word` (or its singular form for plural-capable phrases). */
  candidates(word: string): readonly Entry<V>[] {
    return this.#byFirst.get(word) ?? [];
  }
}

/** Word parts of the tokens, for matching; non-word tokens become unmatchable parts. */
export function partsOf(tokens: readonly Token[]): Part[] {
  const parts: Part[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== "word") {
      parts.push({ text: "\u0000", token: i, first: true, last: true });
      return;
    }
    const ws = t.lower.split("-").filter(Boolean);
    if (ws.length === 0) ws.push(t.lower);
    ws.forEach((w, j) => parts.push({ text: w, token: i, first: j === 0, last: j === ws.length - 1 }));
  });
  return parts;
}

function pluralMatches(text: string, word: string): boolean {
  return (
    text === `${word}s` || text === `${word}es` || (word.endsWith("y") && text === `${word.slice(0, -1)}ies`)
  );
}

/** Tries the table at part index `p`; returns the longest match covering whole tokens. */
export function matchAt<V>(
  table: PhraseTable<V>,
  parts: readonly Part[],
  p: number,
): (PhraseMatch<V> & { nextPart: number }) | undefined {
  const start = parts[p];
  if (!start || !start.first) return undefined;
  const firstWord = start.text;
  const lists = [table.candidates(firstWord)];
  for (const list of lists) {
    for (const e of list) {
      let ok = true;
      for (let k = 0; k < e.parts.length; k++) {
        const part = parts[p + k];
        const want = e.parts[k] as string;
        const isLast = k === e.parts.length - 1;
        if (!part || (part.text !== want && !(isLast && e.plural && pluralMatches(part.text, want)))) {
          ok = false;
          break;
        }
      }
      const endPart = parts[p + e.parts.length - 1];
      if (ok && endPart?.last) {
        return { value: e.value, start: start.token, end: endPart.token + 1, nextPart: p + e.parts.length };
      }
    }
  }
  // A plural first (and only) word: "amfs", "xapps".
  for (const suffix of ["s", "es"]) {
    if (!firstWord.endsWith(suffix) || !start.last) continue;
    const singular = firstWord.slice(0, -suffix.length);
    const e = table.candidates(singular).find((c) => c.plural && c.parts.length === 1);
    if (e) return { value: e.value, start: start.token, end: start.token + 1, nextPart: p + 1 };
  }
  return undefined;
}
