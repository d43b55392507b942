/**
 * What a number means, by its unit and the words around it: the first rule that takes it wins. A number
 * no rule takes is a word nothing understood.
 */
import { setRelative, setReplicas } from "./drafts";
import type { ClauseState } from "./clause";
import { comparatorBefore, linkDirection, nounNear, prevContent, word } from "./look";
import type { Mark, MarkOf } from "./marks";

/** The number at `i`, the content mark before it (`p`, its word `pw`) and the one before that. */
interface At {
  readonly st: ClauseState;
  readonly m: MarkOf<"num">;
  readonly i: number;
  readonly p: Mark | undefined;
  readonly pw: string | undefined;
  readonly beforeP: Mark | undefined;
}

/** Takes the number (and returns true), or leaves it to the next rule. */
type NumberRule = (at: At) => boolean;

const isNoun = (m: Mark | undefined, noun: string): boolean => m?.t === "noun" && m.noun === noun;
const isUpTo = (m: Mark | undefined): boolean => m?.t === "cmp" && m.text.toLowerCase() === "up to";

const RULES: readonly NumberRule[] = [
  ({ st, m }) => m.unit === "cpu" && (st.apply((d) => (d.cpuMillis = m.value)), true),
  ({ st, m }) => m.unit === "memory" && (st.apply((d) => (d.memoryMi = m.value)), true),
  ({ st, m, i }) =>
    m.unit === "ms" &&
    (st.expectations.push({
      target: "latency_ms",
      condition: comparatorBefore(st.marks, i, "IS_LESS_THAN"),
      value: m.value,
    }),
    true),
  ({ st, m, i }) =>
    m.unit === "pct" &&
    nounNear(st.marks, i, "availability") &&
    (st.expectations.push({
      target: "availability",
      condition: comparatorBefore(st.marks, i, "IS_GREATER_THAN"),
      value: m.value,
    }),
    true),
  ({ st, m }) => m.unit === "pct" && st.ctx.policyMode && ((st.threshold = m.value), true),
  throughput,
  ({ st, m, i }) => {
    if (m.unit !== "users" && m.unit !== "devices") return false;
    if (st.ctx.sliceMode)
      st.expectations.push({
        target: m.unit,
        condition: comparatorBefore(st.marks, i, "IS_GREATER_THAN"),
        value: m.value,
      });
    else st.apply((d) => (d.capacity.maxSubscribers = m.value));
    return true;
  },
  ({ st, m }) => m.unit === "sessions" && (st.apply((d) => (d.capacity.maxSessions = m.value)), true),
  // "scale in by 2"
  ({ st, m, pw }) =>
    pw === "by" && (st.apply((d) => setRelative(d, { delta: (st.dir === "down" ? -1 : 1) * m.value })), true),
  // "CPU to 4", "CPU up to 500m"
  ({ st, m, p, pw, beforeP }) =>
    (pw === "to" || isUpTo(p)) &&
    isNoun(beforeP, "cpu") &&
    (st.apply((d) => (d.cpuMillis = m.cpuOrMillion ? m.value : m.value * 1000)), true),
  ({ st, m, p }) => isNoun(p, "threshold") && ((st.threshold = m.value), true),
  ({ st, m, pw, beforeP }) =>
    (pw === "to" || pw === "of" || pw === "at") &&
    isNoun(beforeP, "threshold") &&
    ((st.threshold = m.value), true),
  ({ st, m, p }) => st.ctx.policyMode && p?.t === "cmp" && ((st.threshold = m.value), true),
  ({ st, m, p }) => isNoun(p, "version") && (st.apply((d) => (d.params["version"] = m.raw)), true),
  ({ st, m, p }) => isNoun(p, "type") && ((st.policyType = m.value), true),
  ({ st, m, p }) => isNoun(p, "sst") && ((st.sst = m.value), true),
  ({ st, m, p }) => isNoun(p, "sd") && ((st.sd = m.raw), true),
  // "AMF and SMF x2": the last NF
  ({ st, m }) => m.unit === "x" && (st.applyLast((d) => setReplicas(d, m.value)), true),
  // "2 more", "3 fewer"
  ({ st, m, i }) => {
    const next = st.marks[i + 1];
    if (next?.t !== "rel" || next.rel === "another") return false;
    st.apply((d) => setRelative(d, { delta: next.rel === "fewer" ? -m.value : m.value }));
    st.skipNext = true;
    return true;
  },
  ({ st, m, p, pw }) =>
    (pw === "to" || isUpTo(p) || m.unit === "replicas") && (st.apply((d) => setReplicas(d, m.value)), true),
  // "scale UPF 3"
  ({ st, m, p }) =>
    (st.kind === "scale" || st.kind === "configure") &&
    p?.t === "nf" &&
    (st.apply((d) => setReplicas(d, m.value)), true),
];

/** Mbit/s: a slice's expectation (per link when one is named), an NF's capacity otherwise. */
function throughput({ st, m, i }: At): boolean {
  if (m.unit !== "mbps") return false;
  const link = linkDirection(st.marks, i);
  if (st.ctx.sliceMode) {
    st.expectations.push({
      target:
        link === "downlink"
          ? "dl_throughput_mbps"
          : link === "uplink"
            ? "ul_throughput_mbps"
            : "throughput_mbps",
      condition: comparatorBefore(st.marks, i, "IS_GREATER_THAN"),
      value: m.value,
    });
  } else {
    st.apply((d) => {
      if (link !== "downlink") d.capacity.maxUplinkThroughput = m.value;
      if (link !== "uplink") d.capacity.maxDownlinkThroughput = m.value;
    });
  }
  return true;
}

export function readNumber(st: ClauseState, m: MarkOf<"num">, i: number): void {
  const p = st.prev(i);
  const at: At = {
    st,
    m,
    i,
    p,
    pw: word(p),
    beforeP: st.marks[prevContent(st.marks, prevContent(st.marks, i))],
  };
  if (!RULES.some((rule) => rule(at))) st.unknown.push({ word: m.raw, at: i });
}
