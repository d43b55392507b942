/** Human-readable rendering of plans and refusals for the terminal. */
import type { Action, IntentPlan } from "../domain";
import type { PlanningError } from "../planner";
import type { PlanOutput } from "../planner";
import { scopeOf } from "../render";

const CONDITION = { IS_LESS_THAN: "<", IS_GREATER_THAN: ">", IS_EQUAL_TO: "=" } as const;

function describeAction(a: Action): string {
  const parts: string[] = [`${a.kind} ${a.nf}`];
  if (a.replicas !== undefined) parts.push(`replicas ${a.replicas}`);
  if (a.resources?.cpu) parts.push(`cpu ${a.resources.cpu}`);
  if (a.resources?.memory) parts.push(`memory ${a.resources.memory}`);
  const c = a.capacity;
  if (c?.maxUplinkThroughput) parts.push(`uplink ${c.maxUplinkThroughput} Mbps`);
  if (c?.maxDownlinkThroughput) parts.push(`downlink ${c.maxDownlinkThroughput} Mbps`);
  if (c?.maxSessions) parts.push(`${c.maxSessions} sessions`);
  if (c?.maxSubscribers) parts.push(`${c.maxSubscribers} subscribers`);
  if (a.slice)
    parts.push(`slice ${a.slice.type} (sst ${a.slice.sst ?? "-"}${a.slice.sd ? `, sd ${a.slice.sd}` : ""})`);
  if (a.namespace) parts.push(`namespace ${a.namespace}`);
  for (const [k, v] of Object.entries(a.params ?? {})) parts.push(`${k}=${String(v)}`);
  return parts.join(", ");
}

function describeSites(plan: IntentPlan, here?: string): string {
  const s = plan.sites;
  if (!s) return here ? `${here} (this site)` : "not given (the hub's selector decides)";
  const parts: string[] = [];
  if (s.all) parts.push("all sites");
  if (s.names?.length) parts.push(s.names.join(", "));
  const labels = Object.entries(s.matchLabels ?? {});
  if (labels.length) parts.push(`labels ${labels.map(([k, v]) => `${k}=${v}`).join(",")}`);
  return parts.join("; ");
}

/** A plan as an operator reads it; `site` is where it applies when the plan names none (an agent's own). */
export function formatPlan(out: PlanOutput & { readonly site?: string }): string {
  const p = out.plan;
  const lines = [
    `Plan: ${p.intentType}   priority ${p.priority}   source ${out.source}   confidence ${out.confidence.toFixed(2)}`,
    "Actions:",
    ...p.actions.map((a, i) => `  ${i + 1}. ${describeAction(a)}`),
    `Sites: ${describeSites(p, out.site)}`,
  ];
  // Which instances a change touches is a rule of the fold, not obvious from the words: say it.
  const changes = p.actions.some((a) => a.kind === "scale" || a.kind === "configure" || a.kind === "delete");
  if (changes) lines.push("Touches:", ...scopeOf(p).map((t) => `  - ${t}`));
  if (p.expectations?.length) {
    lines.push(
      `Expectations: ${p.expectations.map((e) => `${e.target} ${CONDITION[e.condition]} ${e.value}`).join(", ")}`,
    );
  }
  if (out.warnings.length) lines.push("Warnings:", ...out.warnings.map((w) => `  - ${w}`));
  return `${lines.join("\n")}\n`;
}

/** A refusal as one line, or, when guardrails were broken, one line per broken rule (each said once). */
export function formatRefusal(e: PlanningError): string {
  if (!e.violations.length) return `nephoran: not planned (${e.code}): ${e.message}\n`;
  const n = e.violations.length;
  const lines = [
    `nephoran: not planned (${e.code}): the plan breaks ${n === 1 ? "a guardrail" : `${n} guardrails`}:`,
  ];
  for (const v of e.violations) lines.push(`  - ${v.rule} at ${v.path}: ${v.message}`);
  return `${lines.join("\n")}\n`;
}
