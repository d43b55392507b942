/** Where an intent applies: site names, label selectors and "all sites", found in the marks. */
import { PlanningError, PlanningErrorCode } from "../errors";
import type { Mark } from "./marks";

const SITE_PREPOSITIONS = new Set(["at", "on", "to", "from", "in", "across", "into", "onto"]);
const CONJUNCTIONS = new Set(["and", ",", "&", "or"]);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const isWord = (m: Mark | undefined): m is Extract<Mark, { t: "word" }> => m?.t === "word";
const isConj = (m: Mark | undefined): boolean =>
  (m?.t === "word" && CONJUNCTIONS.has(m.w)) ||
  (m?.t === "punct" && m.p === ",") ||
  (m?.t === "punct" && m.p === "&");

/** "edge01", "edge-berlin": a site's name wherever it stands. */
const EDGE_NAME = /^edge[-_]?[a-z0-9]/;

/** Looks like a site id even without the word "site": has a digit, or starts with "edge". */
function siteLike(w: string): boolean {
  return /^[a-z0-9][a-z0-9_.-]*$/.test(w) && (/\d/.test(w) || EDGE_NAME.test(w));
}

/** "at X" and "on X" name a site whatever X looks like, unless X is a word the planner knows. */
const NAMING_PREPOSITIONS = new Set(["at", "on"]);
/** Fillers that are never a site's name, even before the word "site" ("at the site", "on our site"). */
const ARTICLES = new Set(["a", "an", "the", "this", "that", "our", "my", "their", "its", "each", "every"]);

function toSite(m: Extract<Mark, { t: "word" }>): Mark {
  if (!DNS_LABEL.test(m.w) || m.w.length > 63) {
    throw new PlanningError(
      PlanningErrorCode.InvalidValue,
      `"${m.raw}" is not a valid site name: use lower-case letters, digits and '-' (at most 63)`,
    );
  }
  return { t: "site", name: m.w };
}

/**
 * The sites and site labels a planner knows of — the hub's registry, an agent's own name — as lookups, so a
 * fleet of any size is asked only about the words of the text.
 */
export interface KnownSites {
  /** Whether a site has this name. */
  hasSite(name: string): boolean;
  /** The label key that has this value ("berlin" → city), when exactly one key has it. */
  labelKeyOf(value: string): string | undefined;
}

/** Known sites from lists: names, and each label key's values. */
export function knownSitesOf(
  names: Iterable<string>,
  labels: Readonly<Record<string, Iterable<string>>> = {},
): KnownSites {
  const set = new Set(names);
  const keysOf = new Map<string, Set<string>>();
  for (const [key, values] of Object.entries(labels))
    for (const v of values) keysOf.set(v, (keysOf.get(v) ?? new Set()).add(key));
  return {
    hasSite: (name) => set.has(name),
    labelKeyOf: (value) => {
      const keys = keysOf.get(value);
      return keys?.size === 1 ? ([...keys][0] as string) : undefined;
    },
  };
}

const NO_SITES: KnownSites = { hasSite: () => false, labelKeyOf: () => undefined };

/** Whether a word in a list after `opener` names a site. */
function isSiteName(
  known: KnownSites,
  m: Extract<Mark, { t: "word" }>,
  explicit: boolean,
  opener: string,
): boolean {
  if (known.hasSite(m.w)) return m.role !== "structure";
  if (m.role === "structure") return false;
  if (m.role === "filler") return explicit && !ARTICLES.has(m.w);
  return explicit || siteLike(m.w) || NAMING_PREPOSITIONS.has(opener);
}

/**
 * Replaces words that name sites with site marks, and "region eu" (or a value of a known label) with
 * label marks. With `known`, the registry's names are sites wherever a site is expected. Throws a
 * PlanningError for an unusable site name.
 */
export function markSites(marks: Mark[], known: KnownSites = NO_SITES): Mark[] {
  const out = [...marks];
  for (let i = 0; i < out.length; i++) {
    const m = out[i];
    // "region eu", "zone north"
    if (m?.t === "noun" && (m.noun === "region" || m.noun === "zone")) {
      const next = out[i + 1];
      if (isWord(next) && next.role !== "structure" && DNS_LABEL.test(next.w)) {
        out.splice(i, 2, { t: "label", key: m.noun, value: next.w });
        continue;
      }
    }
    const startsList = (isWord(m) && SITE_PREPOSITIONS.has(m.w)) || (m?.t === "noun" && m.noun === "site");
    if (!startsList) {
      if (isWord(m) && m.role === "unknown" && (EDGE_NAME.test(m.w) || known.hasSite(m.w)))
        out[i] = toSite(m);
      continue;
    }
    const opener = isWord(m) ? m.w : "site";
    let j = i + 1;
    let explicit = m?.t === "noun";
    // Articles and fillers between the preposition and the name; the last one may be the name itself
    // when the word "site" follows ("at the demo site").
    let lastFiller = -1;
    while (
      isWord(out[j]) &&
      (out[j] as { role: string }).role === "filler" &&
      !known.hasSite((out[j] as { w: string }).w) &&
      // after the word "site" itself only articles are skipped: "site demo" names demo
      (!explicit || ARTICLES.has((out[j] as { w: string }).w))
    ) {
      lastFiller = j;
      j++;
    }
    const nounAt = out[j];
    if (nounAt?.t === "noun" && nounAt.noun === "site") {
      explicit = true;
      const after = out[j + 1];
      const nameAfter = isWord(after) && isSiteName(known, after, true, opener);
      const before = out[lastFiller];
      if (!nameAfter && isWord(before) && !ARTICLES.has(before.w)) {
        out[lastFiller] = toSite(before);
        continue;
      }
      j++;
    }
    for (;;) {
      const cand = out[j];
      if (!isWord(cand)) break;
      const label = known.hasSite(cand.w) ? undefined : known.labelKeyOf(cand.w);
      if (label !== undefined && cand.role !== "structure")
        out[j] = { t: "label", key: label, value: cand.w };
      else if (isSiteName(known, cand, explicit, opener)) out[j] = toSite(cand);
      else break;
      j++;
      const trailing = out[j];
      if (trailing?.t === "noun" && trailing.noun === "site") j++;
      const next = out[j + 1];
      if (isConj(out[j]) && isWord(next) && next.role !== "structure") j++;
      else break;
    }
  }
  return out;
}

/**
 * Site mentions that are separated by a network function ("AMF on edge01 and SMF on edge02") ask for
 * different sites per NF, which one plan cannot say.
 */
export function checkSiteGroups(marks: readonly Mark[]): void {
  const groups: Set<string>[] = [];
  let current: Set<string> | undefined;
  let nfSinceGroup = false;
  let splitByNf = false;
  for (const m of marks) {
    if (m.t === "site") {
      if (!current) {
        if (groups.length > 0 && nfSinceGroup) splitByNf = true;
        current = new Set();
        groups.push(current);
      }
      current.add(m.name);
      nfSinceGroup = false;
    } else if (m.t === "nf") {
      current = undefined;
      nfSinceGroup = true;
    } else if (m.t === "verb" || m.t === "num") {
      current = undefined;
    }
  }
  if (!splitByNf || groups.length < 2) return;
  const first = [...(groups[0] ?? [])].sort().join(",");
  if (groups.some((g) => [...g].sort().join(",") !== first)) {
    throw new PlanningError(
      PlanningErrorCode.Conflict,
      "different network functions are placed at different sites; one intent has one site selector — write one intent per group of sites",
    );
  }
}
