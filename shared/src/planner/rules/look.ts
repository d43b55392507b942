/** Reading around a mark: the words before it, the comparator or noun near it, the link a figure is about. */
import type { Mark } from "./marks";
import type { Comparator } from "./vocabulary";

export const word = (m: Mark | undefined): string | undefined => (m?.t === "word" ? m.w : undefined);
export const isFiller = (m: Mark | undefined): boolean => m?.t === "word" && m.role === "filler";

/** Index of the nearest mark before `i` that is not a filler word, or -1. */
export function prevContent(marks: readonly Mark[], i: number): number {
  let j = i - 1;
  while (j >= 0 && isFiller(marks[j])) j--;
  return j;
}

export function comparatorBefore(marks: readonly Mark[], i: number, fallback: Comparator): Comparator {
  for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
    const m = marks[j];
    if (m?.t === "cmp") return m.cond;
    if (m?.t === "num" || m?.t === "nf" || m?.t === "verb") break;
  }
  return fallback;
}

export function nounNear(marks: readonly Mark[], i: number, noun: string, span = 3): boolean {
  for (let j = Math.max(0, i - span); j <= Math.min(marks.length - 1, i + span); j++) {
    const m = marks[j];
    if (m?.t === "noun" && m.noun === noun) return true;
  }
  return false;
}

const SITE_CONTEXT_WORDS = new Set([
  "in",
  "at",
  "on",
  "across",
  "labelled",
  "labeled",
  "tagged",
  "matching",
  "where",
  "whose",
]);

/** A key=value right after "sites …", "in", "labelled" … selects sites by label; elsewhere it is a setting. */
export function inSiteContext(marks: readonly Mark[], i: number): boolean {
  for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
    const m = marks[j];
    if (m?.t === "label" || m?.t === "allSites" || (m?.t === "noun" && m.noun === "site")) return true;
    if (m?.t === "kv") return inSiteContext(marks, j);
    if (m?.t === "word" && SITE_CONTEXT_WORDS.has(m.w)) return true;
    if (m?.t === "nf" || m?.t === "verb" || m?.t === "num") return false;
  }
  return false;
}

type LinkDirection = "uplink" | "downlink";

/**
 * The link a throughput figure is about: "500 Mbps downlink", "downlink 500 Mbps", "DL throughput of at
 * least 500 Mbps"; undefined when no direction is said (both).
 */
export function linkDirection(marks: readonly Mark[], i: number): LinkDirection | undefined {
  const dirOf = (m: Mark | undefined): LinkDirection | undefined =>
    m?.t === "noun" && (m.noun === "uplink" || m.noun === "downlink") ? m.noun : undefined;
  const after = dirOf(marks[i + 1]);
  if (after) return after;
  for (let j = i - 1; j >= Math.max(0, i - 5); j--) {
    const m = marks[j];
    const d = dirOf(m);
    if (d) return d;
    const passes =
      isFiller(m) ||
      m?.t === "cmp" ||
      (m?.t === "noun" && m.noun === "throughput") ||
      (m?.t === "word" && (m.w === "of" || m.w === "at"));
    if (!passes) return undefined;
  }
  return undefined;
}

export function paramValue(raw: string): string | number | boolean {
  const lower = raw.toLowerCase();
  if (lower === "true" || lower === "on" || lower === "yes") return true;
  if (lower === "false" || lower === "off" || lower === "no") return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}
