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

/** Looks like a site id even without the word "site": has a digit, or starts with "edge". */
function siteLike(w: string): boolean {
  return /^[a-z0-9][a-z0-9_.-]*$/.test(w) && (/\d/.test(w) || /^edge[-_]?[a-z0-9]/.test(w));
}

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
 * Replaces words that name sites with site marks, and "region eu" with label marks. Throws a
 * PlanningError for an unusable site name.
 */
export function markSites(marks: Mark[]): Mark[] {
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
      if (isWord(m) && m.role === "unknown" && /^edge[-_]?[a-z0-9]/.test(m.w)) out[i] = toSite(m);
      continue;
    }
    let j = i + 1;
    let explicit = m?.t === "noun";
    while (isWord(out[j]) && (out[j] as { role: string }).role === "filler") j++;
    const nounAt = out[j];
    if (nounAt?.t === "noun" && nounAt.noun === "site") {
      explicit = true;
      j++;
    }
    for (;;) {
      const cand = out[j];
      if (!isWord(cand) || cand.role !== "unknown" || !(explicit || siteLike(cand.w))) break;
      out[j] = toSite(cand);
      j++;
      const trailing = out[j];
      if (trailing?.t === "noun" && trailing.noun === "site") j++;
      if (isConj(out[j]) && isWord(out[j + 1]) && (out[j + 1] as { role: string }).role === "unknown") j++;
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
