/** Drafts and marks → the parts of an IntentPlan: actions, intent type, sites, priority, confidence. */
import type { Action, IntentType, Priority, SiteSelector, SliceType } from "../../domain";
import { formatCpu, formatMemory } from "../../domain";
import type { Expectation } from "./clause";
import type { Draft } from "./drafts";
import type { Mark } from "./marks";
import { DEFAULT_SST } from "./vocabulary";

const PRIORITY_ORDER: readonly Priority[] = ["low", "medium", "high", "critical"];

const INTENT_TYPE: Record<Draft["kind"], IntentType> = {
  deploy: "nf.deploy",
  scale: "nf.scale",
  stop: "nf.scale",
  delete: "nf.delete",
  configure: "nf.configure",
  policy: "policy.apply",
};

export function slice(type: SliceType, sst: number | undefined, sd: string | undefined) {
  return { type, sst: sst ?? DEFAULT_SST[type], ...(sd !== undefined ? { sd } : {}) };
}

export function inferSliceType(expectations: readonly Expectation[]): SliceType | undefined {
  if (expectations.some((e) => e.target === "latency_ms")) return "URLLC";
  if (expectations.some((e) => e.target === "devices")) return "mMTC";
  if (expectations.some((e) => e.target.endsWith("throughput_mbps") || e.target === "users")) return "eMBB";
  return undefined;
}

export function toAction(
  d: Draft,
  namespace: string | undefined,
  sl: ReturnType<typeof slice> | undefined,
): Action {
  let kind = d.kind === "stop" ? "scale" : d.kind;
  let replicas = d.kind === "stop" ? 0 : d.replicas;
  if (kind === "deploy" && replicas === undefined) replicas = 1;
  const hasParams = Object.keys(d.params).length > 0;
  const resources =
    d.cpuMillis !== undefined || d.memoryMi !== undefined
      ? {
          ...(d.cpuMillis !== undefined ? { cpu: formatCpu(d.cpuMillis) } : {}),
          ...(d.memoryMi !== undefined ? { memory: formatMemory(d.memoryMi) } : {}),
        }
      : undefined;
  const hasCapacity = Object.keys(d.capacity).length > 0;
  // "set the number of UPF replicas to 6": a configure that only sets replicas is a scale.
  if (kind === "configure" && replicas !== undefined && !resources && !hasCapacity && !hasParams)
    kind = "scale";
  if (kind === "delete") replicas = undefined;
  return {
    kind,
    nf: d.nf,
    ...(replicas !== undefined ? { replicas } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(resources ? { resources } : {}),
    ...(hasCapacity ? { capacity: d.capacity } : {}),
    ...(sl && kind !== "policy" ? { slice: sl } : {}),
    ...(hasParams ? { params: d.params } : {}),
  };
}

export function intentTypeOf(actions: readonly Action[]): IntentType {
  const first = actions.find((a) => a.kind !== "policy") ?? actions[0];
  return first ? INTENT_TYPE[first.kind] : "nf.deploy";
}

export function siteSelectorOf(
  marks: readonly Mark[],
  labels: Record<string, string>,
): { sites?: SiteSelector } {
  const names = [...new Set(marks.flatMap((m) => (m.t === "site" ? [m.name] : [])))];
  const all = marks.some((m) => m.t === "allSites");
  const hasLabels = Object.keys(labels).length > 0;
  if (!names.length && !hasLabels && !all) return {};
  return {
    sites: {
      ...(names.length ? { names } : {}),
      ...(hasLabels ? { matchLabels: labels } : {}),
      // "every site with region=eu" narrows to the labels; "all" alone means the whole fleet.
      ...(all && !hasLabels ? { all: true } : {}),
    },
  };
}

export function priorityOf(marks: readonly Mark[]): Priority {
  let best: Priority | undefined;
  for (const m of marks) {
    if (
      m.t === "priority" &&
      (best === undefined || PRIORITY_ORDER.indexOf(m.value) > PRIORITY_ORDER.indexOf(best))
    )
      best = m.value;
  }
  return best ?? "medium";
}

/** 0.99 when every word was understood, lower for each word that was ignored. */
export function confidenceOf(marks: readonly Mark[], unknown: number): number {
  const content = marks.filter((m) => !(m.t === "punct" || (m.t === "word" && m.role !== "unknown"))).length;
  const share = content === 0 ? 0 : unknown / content;
  return Math.round(Math.max(0.3, 0.99 - share * 0.6) * 100) / 100;
}
