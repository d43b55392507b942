/** Tokens → marks: numbers folded, phrases matched, units attached to their numbers. */
import type { Catalog } from "../../catalog";
import type { Token } from "./lexer";
import type { Mark, NumUnit } from "./marks";
import { PhraseTable, matchAt, partsOf } from "./phrases";
import type { VerbEntry, Comparator, Noun } from "./vocabulary";
import {
  ALL_SITES_PHRASES,
  BUNDLES,
  COMPARATORS,
  CPU_SUFFIXES,
  FILLERS,
  LATENCY_UNITS,
  MEMORY_UNITS,
  MULTIPLIER_SUFFIXES,
  NEGATIONS,
  NOUNS,
  NUMBER_PHRASES,
  NUMBER_WORDS,
  PERCENT_UNITS,
  POLICY_PHRASES,
  PRIORITY_PHRASES,
  SCALE_WORDS,
  SECURITY_PHRASES,
  SLICE_NOUNS,
  SLICE_TYPES,
  STRUCTURE,
  THROUGHPUT_UNITS,
  UNSUPPORTED_NFS,
  VERBS,
} from "./vocabulary";

type PhraseValue =
  | { k: "nf"; ids: readonly string[]; note?: string }
  | { k: "unsupported" }
  | { k: "verb"; verb: VerbEntry }
  | { k: "priority"; mark: Mark }
  | { k: "security"; key: string }
  | { k: "slice" }
  | { k: "sliceType"; mark: Mark }
  | { k: "policy" }
  | { k: "allSites" }
  | { k: "neg" }
  | { k: "cmp"; cond: Comparator }
  | { k: "noun"; noun: Noun }
  | { k: "num"; value: number }
  | { k: "rel"; rel: "more" | "fewer" | "another" }
  | { k: "unit"; unit: string };

/** Built once per catalog; annotating a text reuses it. */
export class Annotator {
  readonly #table = new PhraseTable<PhraseValue>();

  constructor(catalog: Catalog) {
    const t = this.#table;
    // Order of adding does not matter: the longest phrase at a position wins, then the first added.
    for (const spec of catalog.list()) {
      for (const alias of spec.aliases) t.add(alias, { k: "nf", ids: [spec.id] }, { plural: true });
    }
    for (const [phrase, b] of Object.entries(BUNDLES)) {
      t.add(phrase, b.note === undefined ? { k: "nf", ids: b.ids } : { k: "nf", ids: b.ids, note: b.note }, {
        plural: true,
      });
    }
    for (const name of UNSUPPORTED_NFS) t.add(name, { k: "unsupported" }, { plural: true });
    for (const [phrase, verb] of Object.entries(VERBS)) t.add(phrase, { k: "verb", verb });
    for (const [phrase, value] of Object.entries(PRIORITY_PHRASES))
      t.add(phrase, { k: "priority", mark: { t: "priority", value } });
    for (const [phrase, key] of Object.entries(SECURITY_PHRASES)) t.add(phrase, { k: "security", key });
    for (const phrase of SLICE_NOUNS) t.add(phrase, { k: "slice" });
    for (const [phrase, type] of Object.entries(SLICE_TYPES))
      t.add(phrase, { k: "sliceType", mark: { t: "sliceType", type } });
    for (const phrase of POLICY_PHRASES) t.add(phrase, { k: "policy" });
    for (const phrase of ALL_SITES_PHRASES) t.add(phrase, { k: "allSites" });
    for (const phrase of NEGATIONS) t.add(phrase, { k: "neg" });
    for (const [phrase, cond] of Object.entries(COMPARATORS)) t.add(phrase, { k: "cmp", cond });
    for (const [phrase, noun] of Object.entries(NOUNS)) t.add(phrase, { k: "noun", noun });
    for (const [phrase, value] of Object.entries(NUMBER_PHRASES)) t.add(phrase, { k: "num", value });
    for (const rel of ["more", "additional", "extra"] as const) t.add(rel, { k: "rel", rel: "more" });
    for (const rel of ["fewer", "less"] as const) t.add(rel, { k: "rel", rel: "fewer" });
    t.add("another", { k: "rel", rel: "another" });
    for (const unit of [
      ...Object.keys(MEMORY_UNITS),
      ...Object.keys(THROUGHPUT_UNITS),
      ...Object.keys(LATENCY_UNITS),
      ...PERCENT_UNITS,
    ]) {
      if (unit.length > 1 && !/^(k|m|g|s)$/.test(unit)) t.add(unit, { k: "unit", unit });
    }
    t.add("gb/s", { k: "unit", unit: "gbps" }).add("mb/s", { k: "unit", unit: "mbps" });
  }

  annotate(tokens: readonly Token[]): Mark[] {
    const folded = foldNumberWords(tokens);
    const raw = this.#match(folded, findNamespaces(folded));
    return attachUnits(raw);
  }

  #match(
    tokens: readonly Token[],
    namespaces: ReadonlyMap<number, { name: string; end: number }>,
  ): (Mark | { t: "unit"; unit: string })[] {
    const parts = partsOf(tokens);
    const out: (Mark | { t: "unit"; unit: string })[] = [];
    let p = 0;
    while (p < parts.length) {
      const part = parts[p];
      if (!part) break;
      const tok = tokens[part.token] as Token;
      const ns = part.first ? namespaces.get(part.token) : undefined;
      if (ns) {
        out.push({ t: "ns", name: ns.name });
        while (p < parts.length && (parts[p]?.token ?? Infinity) < ns.end) p++;
        continue;
      }
      if (tok.kind !== "word") {
        out.push(plainMark(tok));
        p++;
        continue;
      }
      const m = matchAt(this.#table, parts, p);
      if (m) {
        const text = tokens
          .slice(m.start, m.end)
          .map((x) => x.raw)
          .join(" ");
        out.push(toMark(m.value, text));
        p = m.nextPart;
        continue;
      }
      // No phrase starts here: the whole token is one word.
      out.push(plainMark(tok));
      while (p < parts.length && parts[p]?.token === part.token) p++;
    }
    return out;
  }
}

const NS_WORDS = new Set(["namespace", "ns"]);

/**
 * "namespace X", "namespace: X", "the X namespace", "namespace=X": found on tokens, before phrases, so a
 * namespace named like an NF or a bundle ("5g-core") stays a namespace. Keyed by the first token.
 */
function findNamespaces(tokens: readonly Token[]): Map<number, { name: string; end: number }> {
  const found = new Map<number, { name: string; end: number }>();
  const nameOf = (t: Token | undefined): string | undefined =>
    t?.kind === "word" ? t.lower : t?.kind === "num" ? t.raw.toLowerCase() : undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind === "kv" && NS_WORDS.has(t.key)) {
      found.set(i, { name: t.value.toLowerCase(), end: i + 1 });
      continue;
    }
    if (t?.kind !== "word" || !NS_WORDS.has(t.lower)) continue;
    const colon = tokens[i + 1]?.kind === "punct" && tokens[i + 1]?.raw === ":" ? 1 : 0;
    const after = nameOf(tokens[i + 1 + colon]);
    const before = tokens[i - 1];
    const beforeBefore = tokens[i - 2];
    if (
      before?.kind === "word" &&
      beforeBefore?.kind === "word" &&
      ["the", "in", "into"].includes(beforeBefore.lower) &&
      !FILLERS.has(before.lower)
    ) {
      found.set(i - 1, { name: before.lower, end: i + 1 });
    } else if (after !== undefined) {
      found.set(i, { name: after, end: i + 2 + colon });
    }
  }
  return found;
}

function toMark(v: PhraseValue, text: string): Mark | { t: "unit"; unit: string } {
  switch (v.k) {
    case "nf":
      return v.note === undefined
        ? { t: "nf", ids: v.ids, text }
        : { t: "nf", ids: v.ids, text, note: v.note };
    case "unsupported":
      return { t: "unsupported", text };
    case "verb":
      return { t: "verb", verb: v.verb, text };
    case "priority":
    case "sliceType":
      return v.mark;
    case "security":
      return { t: "security", key: v.key, text };
    case "slice":
      return { t: "slice" };
    case "policy":
      return { t: "policy" };
    case "allSites":
      return { t: "allSites" };
    case "neg":
      return { t: "neg", text };
    case "cmp":
      return { t: "cmp", cond: v.cond, text };
    case "noun":
      return { t: "noun", noun: v.noun };
    case "num":
      return { t: "num", value: v.value, unit: "count", raw: text };
    case "rel":
      return { t: "rel", rel: v.rel };
    case "unit":
      return { t: "unit", unit: v.unit.toLowerCase() };
  }
}

function plainMark(tok: Token): Mark {
  switch (tok.kind) {
    case "num":
      return numMark(tok.value, tok.suffix, tok.raw);
    case "kv":
      return { t: "kv", key: tok.key, value: tok.value };
    case "punct":
      return { t: "punct", p: tok.raw };
    case "word": {
      const w = tok.lower;
      const x = /^x(\d+)$/.exec(w);
      if (x) return { t: "num", value: Number(x[1]), unit: "x", raw: tok.raw };
      const role = STRUCTURE.has(w) ? "structure" : FILLERS.has(w) ? "filler" : "unknown";
      return { t: "word", w, raw: tok.raw, role };
    }
  }
}

/** A number with the suffix it was written with ("8gb", "1ms", "100k", "3x", "99.9%"). */
function numMark(value: number, suffix: string, raw: string): Mark {
  const s = suffix.replace(/-.*$/, "");
  if (s === "") return { t: "num", value, unit: "count", raw };
  if (s === "x") return { t: "num", value, unit: "x", raw };
  if (s === "m") return { t: "num", value, unit: "count", raw, cpuOrMillion: true };
  if (CPU_SUFFIXES.includes(s)) return { t: "num", value: value * 1000, unit: "cpu", raw };
  if (s in MEMORY_UNITS) return { t: "num", value: value * (MEMORY_UNITS[s] as number), unit: "memory", raw };
  if (s in THROUGHPUT_UNITS)
    return { t: "num", value: value * (THROUGHPUT_UNITS[s] as number), unit: "mbps", raw };
  if (s in LATENCY_UNITS) return { t: "num", value: value * (LATENCY_UNITS[s] as number), unit: "ms", raw };
  if (PERCENT_UNITS.includes(s)) return { t: "num", value, unit: "pct", raw };
  if (s in MULTIPLIER_SUFFIXES)
    return { t: "num", value: value * (MULTIPLIER_SUFFIXES[s] as number), unit: "count", raw };
  if (s === "replicas" || s === "replica" || s === "pods" || s === "instances")
    return { t: "num", value, unit: "replicas", raw };
  return { t: "word", w: raw.toLowerCase(), raw, role: "unknown" };
}

/** "twenty five" → 25, "3 thousand" → 3000, "twenty-five" → 25. */
function foldNumberWords(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (const tok of tokens) {
    const prev = out[out.length - 1];
    if (tok.kind === "word") {
      const parts = tok.lower.split("-");
      if (parts.every((p) => p in NUMBER_WORDS) && parts.length <= 2) {
        const value = parts.reduce((sum, p) => sum + (NUMBER_WORDS[p] as number), 0);
        if (
          prev?.kind === "num" &&
          prev.suffix === "" &&
          prev.value >= 20 &&
          prev.value % 10 === 0 &&
          value < 10 &&
          /^[a-z]/i.test(prev.raw)
        ) {
          out[out.length - 1] = { ...prev, value: prev.value + value, raw: `${prev.raw} ${tok.raw}` };
        } else {
          out.push({ kind: "num", raw: tok.raw, value, suffix: "" });
        }
        continue;
      }
      const scale = SCALE_WORDS[tok.lower];
      if (scale !== undefined && prev?.kind === "num" && prev.suffix === "") {
        out[out.length - 1] = { ...prev, value: prev.value * scale, raw: `${prev.raw} ${tok.raw}` };
        continue;
      }
    }
    out.push(tok);
  }
  return out;
}

const UNIT_FOR_NOUN: Partial<Record<Noun, NumUnit>> = {
  cpu: "cpu",
  replicas: "replicas",
  users: "users",
  devices: "devices",
  sessions: "sessions",
};

/** A number followed by its unit word or noun becomes one typed number: "4 CPU cores" → cpu 4000m. */
function attachUnits(marks: readonly (Mark | { t: "unit"; unit: string })[]): Mark[] {
  const out: Mark[] = [];
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i] as Mark | { t: "unit"; unit: string };
    if (m.t === "unit") {
      // A unit with no number before it: keep as an unknown word so it shows up in warnings.
      out.push({ t: "word", w: m.unit, raw: m.unit, role: "unknown" });
      continue;
    }
    if (
      m.t !== "num" ||
      (m.unit !== "count" && m.unit !== "memory" && m.unit !== "mbps" && m.unit !== "pct" && m.unit !== "ms")
    ) {
      out.push(m);
      continue;
    }
    const next = marks[i + 1];
    const afterNext = marks[i + 2];
    if (m.unit === "count" && next?.t === "unit") {
      const u = next.unit;
      const typed =
        u in MEMORY_UNITS
          ? ({ unit: "memory", value: m.value * (MEMORY_UNITS[u] as number) } as const)
          : u in THROUGHPUT_UNITS
            ? ({ unit: "mbps", value: m.value * (THROUGHPUT_UNITS[u] as number) } as const)
            : u in LATENCY_UNITS
              ? ({ unit: "ms", value: m.value * (LATENCY_UNITS[u] as number) } as const)
              : ({ unit: "pct", value: m.value } as const);
      out.push({ t: "num", value: typed.value, unit: typed.unit, raw: m.raw });
      i++;
      // "8 GB of memory", "4 GB RAM": the noun belongs to the number.
      if (typed.unit === "memory") i += skipNoun(marks, i + 1, "memory");
      continue;
    }
    if (m.unit === "memory") {
      out.push(m);
      i += skipNoun(marks, i + 1, "memory");
      continue;
    }
    if (m.unit === "count" && next?.t === "noun") {
      const unit = UNIT_FOR_NOUN[next.noun];
      if (unit) {
        const value =
          unit === "cpu"
            ? m.cpuOrMillion
              ? m.value
              : m.value * 1000
            : m.cpuOrMillion
              ? m.value * 1_000_000
              : m.value;
        out.push({ t: "num", value, unit, raw: m.raw });
        i++;
        // "2 cores of CPU", "4 CPU cores": a second cpu noun is part of the same figure.
        if (unit === "cpu") i += skipNoun(marks, i + 1, "cpu");
        continue;
      }
      if (next.noun === "memory" && m.cpuOrMillion === undefined) {
        // "512 memory": a bare number before "memory" is not a quantity we can read.
        out.push(m);
        continue;
      }
    }
    if (
      m.cpuOrMillion &&
      next?.t === "word" &&
      next.w === "of" &&
      afterNext?.t === "noun" &&
      afterNext.noun === "cpu"
    ) {
      out.push({ t: "num", value: m.value, unit: "cpu", raw: m.raw });
      i += 2;
      continue;
    }
    out.push(m);
  }
  return out;
}

function skipNoun(marks: readonly (Mark | { t: "unit"; unit: string })[], at: number, noun: Noun): number {
  const a = marks[at];
  const b = marks[at + 1];
  if (a?.t === "noun" && a.noun === noun) return 1;
  if (a?.t === "word" && a.w === "of" && b?.t === "noun" && b.noun === noun) return 2;
  return 0;
}
