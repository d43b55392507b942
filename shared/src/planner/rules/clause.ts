/**
 * One clause: a verb and what follows it until the next verb. Network functions listed together form
 * a group; what follows a group (counts, resources, capacity) applies to each NF in it.
 */
import { PlanningError, PlanningErrorCode } from "../errors";
import type { Draft, Modifier } from "./drafts";
import { newDraft, setRelative, setReplicas } from "./drafts";
import type { Mark } from "./marks";
import type { Comparator, VerbEntry } from "./vocabulary";
import { FORBIDDEN_PARAM_KEYS } from "../../guardrails";
import type { Expectation } from "../../domain";

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

const HOST_PREPOSITIONS = new Set(["on", "onto", "to", "in", "into", "inside"]);

const word = (m: Mark | undefined): string | undefined => (m?.t === "word" ? m.w : undefined);
const isFiller = (m: Mark | undefined): boolean => m?.t === "word" && m.role === "filler";

/** Index of the nearest mark before `i` that is not a filler word, or -1. */
function prevContent(marks: readonly Mark[], i: number): number {
  let j = i - 1;
  while (j >= 0 && isFiller(marks[j])) j--;
  return j;
}

function comparatorBefore(marks: readonly Mark[], i: number, fallback: Comparator): Comparator {
  for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
    const m = marks[j];
    if (m?.t === "cmp") return m.cond;
    if (m?.t === "num" || m?.t === "nf" || m?.t === "verb") break;
  }
  return fallback;
}

function nounNear(marks: readonly Mark[], i: number, noun: string, span = 3): boolean {
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
function inSiteContext(marks: readonly Mark[], i: number): boolean {
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
function linkDirection(marks: readonly Mark[], i: number): LinkDirection | undefined {
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

function paramValue(raw: string): string | number | boolean {
  const lower = raw.toLowerCase();
  if (lower === "true" || lower === "on" || lower === "yes") return true;
  if (lower === "false" || lower === "off" || lower === "no") return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

export function readClause(
  verb: VerbEntry | undefined,
  marks: readonly Mark[],
  ctx: ClauseContext,
): ClauseResult {
  const kind = verb?.kind ?? "deploy";
  const drafts: Draft[] = [];
  const expectations: Expectation[] = [];
  const labels: Record<string, string> = {};
  const unknown: { word: string; at: number }[] = [];
  const orphans: Modifier[] = [];
  const consumed = new Set<number>();
  let group: Draft[] = [];
  let groupClosed = false;
  let threshold: number | undefined;
  let policyType: number | undefined;
  let sst: number | undefined;
  let sd: string | undefined;
  let namespace: string | undefined;
  let dir: "up" | "down" | undefined = verb?.dir;

  const apply = (mod: Modifier) => {
    if (group.length === 0) orphans.push(mod);
    else group.forEach(mod);
    groupClosed = true;
  };
  const applyLast = (mod: Modifier) => {
    const last = group[group.length - 1];
    if (last) mod(last);
    else orphans.push(mod);
    groupClosed = true;
  };

  // Counts written before an NF ("2 AMF", "3 replicas of UPF", "two more UPFs", "another SMF").
  const countFor = new Map<number, { n?: number; rel?: "more" | "fewer" | "another" }>();
  marks.forEach((m, i) => {
    if (m.t !== "nf") return;
    let j = i - 1;
    while (
      j >= 0 &&
      (isFiller(marks[j]) ||
        word(marks[j]) === "of" ||
        (marks[j]?.t === "noun" && (marks[j] as { noun: string }).noun === "replicas"))
    )
      j--;
    let rel: "more" | "fewer" | "another" | undefined;
    const r = marks[j];
    if (r?.t === "rel") {
      rel = r.rel;
      consumed.add(j);
      j--;
      while (j >= 0 && isFiller(marks[j])) j--;
    }
    const n = marks[j];
    const before = marks[prevContent(marks, j)];
    const isTarget = word(before) === "to" || word(before) === "by" || before?.t === "cmp";
    if (n?.t === "num" && (n.unit === "count" || n.unit === "x" || n.unit === "replicas") && !isTarget) {
      consumed.add(j);
      countFor.set(i, rel === undefined ? { n: n.value } : { n: n.value, rel });
    } else if (rel === "another") {
      countFor.set(i, { rel });
    }
  });

  for (let i = 0; i < marks.length; i++) {
    if (consumed.has(i)) continue;
    const m = marks[i] as Mark;
    const p = marks[prevContent(marks, i)];
    switch (m.t) {
      case "nf": {
        const hostPrep = HOST_PREPOSITIONS.has(word(p) ?? "");
        if (hostPrep && drafts.length > 0) break; // "xApp on the near-RT RIC": the RIC is where, not what
        if (groupClosed) {
          group = [];
          groupClosed = false;
        }
        const count = countFor.get(i);
        for (const id of m.ids) {
          const d = newDraft(kind, id);
          if (m.ids.length > 1) d.bundled = true;
          if (count?.rel) setRelative(d, { delta: count.rel === "fewer" ? -(count.n ?? 1) : (count.n ?? 1) });
          else if (count?.n !== undefined) setReplicas(d, count.n);
          drafts.push(d);
          group.push(d);
        }
        break;
      }
      case "num": {
        const pw = word(p);
        const beforeP = marks[prevContent(marks, prevContent(marks, i))];
        if (m.unit === "cpu") apply((d) => (d.cpuMillis = m.value));
        else if (m.unit === "memory") apply((d) => (d.memoryMi = m.value));
        else if (m.unit === "ms") {
          expectations.push({
            target: "latency_ms",
            condition: comparatorBefore(marks, i, "IS_LESS_THAN"),
            value: m.value,
          });
        } else if (m.unit === "pct" && nounNear(marks, i, "availability")) {
          expectations.push({
            target: "availability",
            condition: comparatorBefore(marks, i, "IS_GREATER_THAN"),
            value: m.value,
          });
        } else if (m.unit === "pct" && ctx.policyMode) {
          threshold = m.value;
        } else if (m.unit === "mbps") {
          const dirNoun = linkDirection(marks, i);
          if (ctx.sliceMode) {
            expectations.push({
              target:
                dirNoun === "downlink"
                  ? "dl_throughput_mbps"
                  : dirNoun === "uplink"
                    ? "ul_throughput_mbps"
                    : "throughput_mbps",
              condition: comparatorBefore(marks, i, "IS_GREATER_THAN"),
              value: m.value,
            });
          } else {
            apply((d) => {
              if (dirNoun !== "downlink") d.capacity.maxUplinkThroughput = m.value;
              if (dirNoun !== "uplink") d.capacity.maxDownlinkThroughput = m.value;
            });
          }
        } else if (m.unit === "users" || m.unit === "devices") {
          if (ctx.sliceMode) {
            expectations.push({
              target: m.unit,
              condition: comparatorBefore(marks, i, "IS_GREATER_THAN"),
              value: m.value,
            });
          } else {
            apply((d) => (d.capacity.maxSubscribers = m.value));
          }
        } else if (m.unit === "sessions") {
          apply((d) => (d.capacity.maxSessions = m.value));
        } else if (pw === "by") {
          apply((d) => setRelative(d, { delta: (dir === "down" ? -1 : 1) * m.value }));
        } else if (
          (pw === "to" || (p?.t === "cmp" && p.text.toLowerCase() === "up to")) &&
          beforeP?.t === "noun" &&
          beforeP.noun === "cpu"
        ) {
          apply((d) => (d.cpuMillis = m.cpuOrMillion ? m.value : m.value * 1000));
        } else if (p?.t === "noun" && p.noun === "threshold") {
          threshold = m.value;
        } else if (
          (pw === "to" || pw === "of" || pw === "at") &&
          beforeP?.t === "noun" &&
          beforeP.noun === "threshold"
        ) {
          threshold = m.value;
        } else if (ctx.policyMode && p?.t === "cmp") {
          threshold = m.value;
        } else if (p?.t === "noun" && p.noun === "version") {
          apply((d) => (d.params["version"] = m.raw));
        } else if (p?.t === "noun" && p.noun === "type") {
          policyType = m.value;
        } else if (p?.t === "noun" && p.noun === "sst") {
          sst = m.value;
        } else if (p?.t === "noun" && p.noun === "sd") {
          sd = m.raw;
        } else if (m.unit === "x") {
          applyLast((d) => setReplicas(d, m.value));
        } else if (marks[i + 1]?.t === "rel" && (marks[i + 1] as { rel: string }).rel !== "another") {
          const rel = (marks[i + 1] as { rel: "more" | "fewer" }).rel;
          apply((d) => setRelative(d, { delta: rel === "fewer" ? -m.value : m.value }));
          i++;
        } else if (
          pw === "to" ||
          (p?.t === "cmp" && p.text.toLowerCase() === "up to") ||
          m.unit === "replicas"
        ) {
          apply((d) => setReplicas(d, m.value));
        } else if ((kind === "scale" || kind === "configure") && p?.t === "nf") {
          apply((d) => setReplicas(d, m.value));
        } else {
          unknown.push({ word: m.raw, at: i });
        }
        break;
      }
      case "kv": {
        const key = m.key;
        if (key === "replicas" || key === "replica") apply((d) => setReplicas(d, Number(m.value)));
        else if (key === "namespace" || key === "ns") namespace = m.value.toLowerCase();
        else if (key === "threshold") threshold = Number(m.value.replace(/%$/, ""));
        else if (key === "sst") sst = Number(m.value);
        else if (key === "sd") sd = m.value.replace(/^0x/i, "");
        else if (key === "policytypeid" || key === "policy-type") policyType = Number(m.value);
        else if (FORBIDDEN_PARAM_KEYS.some((f) => f.pattern.test(key)))
          apply((d) => (d.params[key] = paramValue(m.value)));
        else if (inSiteContext(marks, i)) labels[key] = m.value;
        else if (!ctx.policyMode) apply((d) => (d.params[key] = paramValue(m.value)));
        else labels[key] = m.value;
        break;
      }
      case "label":
        labels[m.key] = m.value;
        break;
      case "ns":
        namespace = m.name;
        break;
      case "word":
        if (p?.t === "noun" && p.noun === "version" && m.role === "unknown")
          apply((d) => (d.params["version"] = m.raw));
        else if (p?.t === "noun" && p.noun === "sd" && /^(0x)?[0-9a-f]{6}$/i.test(m.w))
          sd = m.raw.replace(/^0x/i, "");
        else if (m.w === "down") dir = "down";
        else if (m.w === "up" || m.w === "out") dir = dir ?? "up";
        else if (m.role === "unknown") unknown.push({ word: m.w, at: i });
        break;
      case "rel":
        if (m.rel === "another") break;
        unknown.push({ word: m.rel, at: i });
        break;
      default:
        break;
    }
  }

  // A scale verb with a direction but no figure ("scale up the AMF") is a relative change.
  // "increase UPF capacity to 40 Gbps" changes settings, not the replica count: it is a configure.
  for (const d of drafts)
    if (d.kind === "scale" && d.replicas === undefined && !d.relative && changesSettings(d))
      d.kind = "configure";
  if (dir && kind === "scale") {
    for (const d of drafts)
      if (d.kind === "scale" && d.replicas === undefined && !d.relative)
        setRelative(d, { dir, ...(verb?.factor ? { factor: verb.factor } : {}) });
  }
  if (verb?.factor)
    for (const d of drafts)
      if (d.kind === "scale" && d.replicas === undefined) setRelative(d, { factor: verb.factor });

  const result: ClauseResult = { drafts, expectations, labels, unknown, orphans };
  return {
    ...result,
    ...(threshold !== undefined ? { threshold } : {}),
    ...(policyType !== undefined ? { policyType } : {}),
    ...(sst !== undefined ? { sst } : {}),
    ...(sd !== undefined ? { sd } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

function changesSettings(d: Draft): boolean {
  return (
    d.cpuMillis !== undefined ||
    d.memoryMi !== undefined ||
    Object.keys(d.capacity).length > 0 ||
    Object.keys(d.params).length > 0
  );
}

export function assertNoRelativeWithout(
  drafts: readonly Draft[],
  current: Readonly<Record<string, number>> | undefined,
): void {
  for (const d of drafts) {
    if (!d.relative) continue;
    const now = current?.[d.nf];
    if (now === undefined) {
      throw new PlanningError(
        PlanningErrorCode.RelativeChange,
        `"${d.nf}" is to change relative to its current replica count, which is not known here; say the target count ("scale ${d.nf} to 3")`,
      );
    }
    const r = d.relative;
    const next =
      r.factor !== undefined
        ? Math.round(now * r.factor)
        : r.delta !== undefined
          ? now + r.delta
          : now + (r.dir === "down" ? -1 : 1);
    d.replicas = next;
    d.kind = d.kind === "deploy" ? "scale" : d.kind;
    delete d.relative;
  }
}
