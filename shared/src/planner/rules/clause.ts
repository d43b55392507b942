/**
 * One clause: a verb and what follows it until the next verb. Network functions listed together form
 * a group; what follows a group (counts, resources, capacity) applies to each NF in it. Each kind of
 * mark has its handler over the clause's state; numbers have their own table of rules (numbers.ts).
 */
import type { Expectation } from "../../domain";
import { FORBIDDEN_PARAM_KEYS } from "../../guardrails";
import type { Draft, Modifier } from "./drafts";
import { newDraft, setRelative, setReplicas } from "./drafts";
import { inSiteContext, isFiller, paramValue, prevContent, word } from "./look";
import type { Mark, MarkOf } from "./marks";
import { readNumber } from "./numbers";
import type { VerbEntry } from "./vocabulary";

export type { Expectation };

export interface ClauseContext {
  readonly sliceMode: boolean;
  readonly policyMode: boolean;
}

export interface ClauseResult {
  readonly drafts: Draft[];
  readonly expectations: Expectation[];
  readonly labels: Record<string, string>;
  readonly threshold?: number;
  readonly policyType?: number;
  readonly sst?: number;
  readonly sd?: string;
  readonly namespace?: string;
  /** Words nothing understood, with their index in the clause. */
  readonly unknown: { readonly word: string; readonly at: number }[];
  /** Modifiers with no NF to apply to (slice/policy clauses fill in their NFs later). */
  readonly orphans: Modifier[];
}

type Count = { n?: number; rel?: "more" | "fewer" | "another" };

/** What a clause has read so far; the handlers add to it. */
export class ClauseState {
  readonly kind: Draft["kind"];
  readonly drafts: Draft[] = [];
  readonly expectations: Expectation[] = [];
  readonly labels: Record<string, string> = {};
  readonly unknown: { word: string; at: number }[] = [];
  readonly orphans: Modifier[] = [];
  /** Marks already read as part of another (a count before its NF). */
  readonly consumed = new Set<number>();
  /** Counts written before an NF, by the NF mark's index. */
  readonly countFor = new Map<number, Count>();
  /** The NFs the next modifiers apply to; closed once a modifier applied, so a new NF starts a new group. */
  group: Draft[] = [];
  groupClosed = false;
  dir: "up" | "down" | undefined;
  threshold?: number;
  policyType?: number;
  sst?: number;
  sd?: string;
  namespace?: string;
  /** Set by a handler that read the next mark too. */
  skipNext = false;

  constructor(
    readonly verb: VerbEntry | undefined,
    readonly marks: readonly Mark[],
    readonly ctx: ClauseContext,
  ) {
    this.kind = verb?.kind ?? "deploy";
    this.dir = verb?.dir;
  }

  /** The nearest content mark before `i` (fillers skipped). */
  prev(i: number): Mark | undefined {
    return this.marks[prevContent(this.marks, i)];
  }

  /** Applies to every NF of the current group (or waits for one: an orphan). */
  apply(mod: Modifier): void {
    if (this.group.length === 0) this.orphans.push(mod);
    else this.group.forEach(mod);
    this.groupClosed = true;
  }

  /** Applies to the group's last NF ("AMF and SMF x2": the SMF). */
  applyLast(mod: Modifier): void {
    const last = this.group[this.group.length - 1];
    if (last) mod(last);
    else this.orphans.push(mod);
    this.groupClosed = true;
  }
}

const HOST_PREPOSITIONS = new Set(["on", "onto", "to", "in", "into", "inside"]);

type Handler<T extends Mark["t"]> = (st: ClauseState, m: MarkOf<T>, i: number) => void;

function readNf(st: ClauseState, m: MarkOf<"nf">, i: number): void {
  // "xApp on the near-RT RIC": the RIC is where, not what
  if (HOST_PREPOSITIONS.has(word(st.prev(i)) ?? "") && st.drafts.length > 0) return;
  if (st.groupClosed) {
    st.group = [];
    st.groupClosed = false;
  }
  const count = st.countFor.get(i);
  for (const id of m.ids) {
    const d = newDraft(st.kind, id);
    if (m.ids.length > 1) d.bundled = true;
    if (count?.rel) setRelative(d, { delta: count.rel === "fewer" ? -(count.n ?? 1) : (count.n ?? 1) });
    else if (count?.n !== undefined) setReplicas(d, count.n);
    st.drafts.push(d);
    st.group.push(d);
  }
}

function readKv(st: ClauseState, m: MarkOf<"kv">, i: number): void {
  const key = m.key;
  if (key === "replicas" || key === "replica") st.apply((d) => setReplicas(d, Number(m.value)));
  else if (key === "namespace" || key === "ns") st.namespace = m.value.toLowerCase();
  else if (key === "threshold") st.threshold = Number(m.value.replace(/%$/, ""));
  else if (key === "sst") st.sst = Number(m.value);
  else if (key === "sd") st.sd = m.value.replace(/^0x/i, "");
  else if (key === "policytypeid" || key === "policy-type") st.policyType = Number(m.value);
  // A forbidden setting is kept as a setting, for the guardrails to refuse by name.
  else if (FORBIDDEN_PARAM_KEYS.some((f) => f.pattern.test(key)))
    st.apply((d) => (d.params[key] = paramValue(m.value)));
  else if (inSiteContext(st.marks, i)) st.labels[key] = m.value;
  else if (!st.ctx.policyMode) st.apply((d) => (d.params[key] = paramValue(m.value)));
  else st.labels[key] = m.value;
}

function readWord(st: ClauseState, m: MarkOf<"word">, i: number): void {
  const p = st.prev(i);
  if (p?.t === "noun" && p.noun === "version" && m.role === "unknown")
    st.apply((d) => (d.params["version"] = m.raw));
  else if (p?.t === "noun" && p.noun === "sd" && /^(0x)?[0-9a-f]{6}$/i.test(m.w))
    st.sd = m.raw.replace(/^0x/i, "");
  else if (m.w === "down") st.dir = "down";
  else if (m.w === "up" || m.w === "out") st.dir = st.dir ?? "up";
  else if (m.role === "unknown") st.unknown.push({ word: m.w, at: i });
}

const HANDLERS: { readonly [T in Mark["t"]]?: Handler<T> } = {
  nf: readNf,
  num: readNumber,
  kv: readKv,
  word: readWord,
  label: (st, m) => (st.labels[m.key] = m.value),
  ns: (st, m) => (st.namespace = m.name),
  rel: (st, m, i) => {
    if (m.rel !== "another") st.unknown.push({ word: m.rel, at: i });
  },
};

/** Counts written before an NF ("2 AMF", "3 replicas of UPF", "two more UPFs", "another SMF"). */
function readCountsBeforeNfs(st: ClauseState): void {
  const marks = st.marks;
  marks.forEach((m, i) => {
    if (m.t !== "nf") return;
    let j = i - 1;
    while (
      j >= 0 &&
      (isFiller(marks[j]) ||
        word(marks[j]) === "of" ||
        (marks[j]?.t === "noun" && (marks[j] as MarkOf<"noun">).noun === "replicas"))
    )
      j--;
    let rel: "more" | "fewer" | "another" | undefined;
    const r = marks[j];
    if (r?.t === "rel") {
      rel = r.rel;
      st.consumed.add(j);
      j--;
      while (j >= 0 && isFiller(marks[j])) j--;
    }
    const n = marks[j];
    const before = marks[prevContent(marks, j)];
    const isTarget = word(before) === "to" || word(before) === "by" || before?.t === "cmp";
    if (n?.t === "num" && (n.unit === "count" || n.unit === "x" || n.unit === "replicas") && !isTarget) {
      st.consumed.add(j);
      st.countFor.set(i, rel === undefined ? { n: n.value } : { n: n.value, rel });
    } else if (rel === "another") {
      st.countFor.set(i, { rel });
    }
  });
}

function changesSettings(d: Draft): boolean {
  return (
    d.cpuMillis !== undefined ||
    d.memoryMi !== undefined ||
    Object.keys(d.capacity).length > 0 ||
    Object.keys(d.params).length > 0
  );
}

/** What the verb says once every mark is read: a direction or factor with no figure is a relative change. */
function finishDrafts(st: ClauseState): void {
  const verb = st.verb;
  // "increase UPF capacity to 40 Gbps" changes settings, not the replica count: it is a configure.
  for (const d of st.drafts)
    if (d.kind === "scale" && d.replicas === undefined && !d.relative && changesSettings(d))
      d.kind = "configure";
  // "scale up the AMF": a relative change.
  if (st.dir && st.kind === "scale") {
    for (const d of st.drafts)
      if (d.kind === "scale" && d.replicas === undefined && !d.relative)
        setRelative(d, { dir: st.dir, ...(verb?.factor ? { factor: verb.factor } : {}) });
  }
  if (verb?.factor)
    for (const d of st.drafts)
      if (d.kind === "scale" && d.replicas === undefined) setRelative(d, { factor: verb.factor });
}

export function readClause(
  verb: VerbEntry | undefined,
  marks: readonly Mark[],
  ctx: ClauseContext,
): ClauseResult {
  const st = new ClauseState(verb, marks, ctx);
  readCountsBeforeNfs(st);
  for (let i = 0; i < marks.length; i++) {
    if (st.skipNext) {
      st.skipNext = false;
      continue;
    }
    if (st.consumed.has(i)) continue;
    const m = marks[i] as Mark;
    (HANDLERS[m.t] as Handler<Mark["t"]> | undefined)?.(st, m, i);
  }
  finishDrafts(st);
  const { drafts, expectations, labels, unknown, orphans } = st;
  return {
    drafts,
    expectations,
    labels,
    unknown,
    orphans,
    ...(st.threshold !== undefined ? { threshold: st.threshold } : {}),
    ...(st.policyType !== undefined ? { policyType: st.policyType } : {}),
    ...(st.sst !== undefined ? { sst: st.sst } : {}),
    ...(st.sd !== undefined ? { sd: st.sd } : {}),
    ...(st.namespace !== undefined ? { namespace: st.namespace } : {}),
  };
}
