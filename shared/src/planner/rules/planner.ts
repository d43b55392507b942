/** The offline, deterministic planner: text → IntentPlan by rules, then the guardrails. */
import type { Catalog } from "../../catalog";
import type { Action, IntentPlan, IntentType, Priority, SiteSelector, SliceType } from "../../domain";
import { formatCpu, formatMemory } from "../../domain";
import type { GuardrailPolicy, PlanRejectedError } from "../../guardrails";
import { GuardrailRule, validatePlan } from "../../guardrails";
import { err, ok } from "../../result";
import { PlanningError, PlanningErrorCode } from "../errors";
import type { PlanOptions, PlanOutput, PlanResult, Planner } from "../types";
import { Annotator } from "./annotate";
import type { ClauseResult, Expectation } from "./clause";
import { assertNoRelativeWithout, readClause } from "./clause";
import type { Draft } from "./drafts";
import { mergeRepeats, newDraft } from "./drafts";
import { tokenize } from "./lexer";
import { joinParticles } from "./particles";
import type { Mark } from "./marks";
import { checkSiteGroups, markSites } from "./sites";
import type { VerbEntry } from "./vocabulary";
import { DEFAULT_SST, QUESTION_OPENERS, VAGUE_NF_WORDS, VERBS } from "./vocabulary";
import { didYouMean } from "../../nearest";

const PRIORITY_ORDER: readonly Priority[] = ["low", "medium", "high", "critical"];
const SLICE_DEFAULT_NFS = ["smf", "upf"] as const;
const TRAFFIC_STEERING = 20008;

const INTENT_TYPE: Record<Draft["kind"], IntentType> = {
  deploy: "nf.deploy",
  scale: "nf.scale",
  stop: "nf.scale",
  delete: "nf.delete",
  configure: "nf.configure",
  policy: "policy.apply",
};

export interface RulesPlannerDeps {
  readonly catalog: Catalog;
  readonly policy: GuardrailPolicy;
}

export class RulesPlanner implements Planner {
  readonly #deps: RulesPlannerDeps;
  readonly #annotator: Annotator;

  constructor(deps: RulesPlannerDeps) {
    this.#deps = deps;
    this.#annotator = new Annotator(deps.catalog);
  }

  plan(text: string, options?: PlanOptions): Promise<PlanResult> {
    return Promise.resolve(this.planSync(text, options));
  }

  /** Synchronous form, for callers that plan in a loop (benchmarks, corpus checks). */
  planSync(text: string, options: PlanOptions = {}): PlanResult {
    try {
      return ok(this.#plan(text, options));
    } catch (e: unknown) {
      if (e instanceof PlanningError) return err(e);
      throw e;
    }
  }

  #plan(text: string, options: PlanOptions): PlanOutput {
    const trimmed = text
      .trim()
      .replace(/[\s.!?;:,]+$/, "")
      .trim();
    const max = this.#deps.policy.maxTextLength;
    if (trimmed.length === 0 || text.length > max) {
      const message =
        trimmed.length === 0
          ? "the intent text is empty"
          : `the intent text is longer than ${max} characters`;
      throw new PlanningError(PlanningErrorCode.Guardrail, message, {
        violations: [{ rule: GuardrailRule.TextLength, path: "text", message }],
      });
    }
    const marks = markSites(this.#annotator.annotate(joinParticles(tokenize(trimmed))), options.sites);
    const warnings: string[] = [];
    refuseEarly(marks, text);
    checkSiteGroups(marks);

    const sliceMode = marks.some((m) => m.t === "slice" || m.t === "sliceType");
    // "traffic steering xApp": the words describe the xApp, they do not ask for a policy.
    const policyMode = marks.some((m, i) => m.t === "policy" && !describesXapp(marks, i));

    const clauses = splitClauses(marks);
    if (clauses.length === 0) {
      throw new PlanningError(
        PlanningErrorCode.NoAction,
        "no action found: say what to do (deploy, scale, delete, configure, or apply a policy) and to which network function",
      );
    }
    const read = clauses.map((c) => ({
      verb: c.verb,
      r: readClause(c.verb, c.marks, { sliceMode, policyMode }),
    }));
    const drafts = read.flatMap((x) => x.r.drafts);
    const merged = mergeClauses(read.map((x) => x.r));

    let sliceType: SliceType | undefined = marks.find(
      (m): m is Extract<Mark, { t: "sliceType" }> => m.t === "sliceType",
    )?.type;
    if (sliceMode && !sliceType) {
      sliceType = inferSliceType(merged.expectations);
      if (!sliceType) {
        throw new PlanningError(PlanningErrorCode.MissingValue, "which kind of slice: eMBB, URLLC or mMTC?");
      }
      warnings.push(`slice type ${sliceType} inferred from the expectations`);
    }

    if (policyMode) {
      const params: Record<string, number> = { policyTypeId: merged.policyType ?? TRAFFIC_STEERING };
      if (merged.threshold !== undefined) params["threshold"] = merged.threshold;
      const d = newDraft("policy", "near-rt-ric");
      d.params = params;
      drafts.splice(
        0,
        drafts.length,
        ...drafts.filter((x) => x.nf !== "near-rt-ric" || x.kind !== "configure"),
        d,
      );
    }

    if (sliceMode && drafts.length === 0) {
      const kind = read[0]?.verb?.kind ?? "deploy";
      for (const nf of SLICE_DEFAULT_NFS) drafts.push(newDraft(kind, nf));
    }
    if (drafts.length === 0) throw noNfError(read.flatMap((x) => x.r.unknown.map((u) => u.word)));
    refuseUnknownInList(
      read.map((x) => x.r),
      clauses.map((c) => c.marks),
    );

    for (const orphan of merged.orphans) drafts.filter((d) => d.kind !== "policy").forEach(orphan);
    for (const c of read) {
      if (c.verb?.flag !== undefined) setFlags(c.r, c.verb.flag);
    }
    for (const m of marks) {
      if (m.t === "security") drafts.forEach((d) => (d.params[m.key] = true));
      if (m.t === "nf" && m.note) warnings.push(m.note);
    }
    drafts.splice(0, drafts.length, ...mergeRepeats(drafts));
    assertNoRelativeWithout(drafts, options.current);
    const uncounted = drafts.find((d) => d.kind === "scale" && d.replicas === undefined);
    if (uncounted) {
      throw new PlanningError(
        PlanningErrorCode.MissingValue,
        `how many replicas? say the target count, e.g. "scale ${uncounted.nf} to 3"`,
      );
    }

    const actions = drafts.map((d) =>
      toAction(d, merged.namespace, sliceType ? slice(sliceType, merged.sst, merged.sd) : undefined),
    );
    const unknownWords = read.flatMap((x) => x.r.unknown.map((u) => u.word));
    if (unknownWords.length)
      warnings.push(`not understood, ignored: ${unknownWords.map((w) => `"${w}"`).join(", ")}`);
    const confidence = confidenceOf(marks, unknownWords.length);

    const plan: IntentPlan = {
      intentType: sliceType ? "slice.deploy" : intentTypeOf(actions),
      actions,
      ...siteSelectorOf(marks, merged.labels),
      ...(merged.expectations.length ? { expectations: merged.expectations } : {}),
      priority: priorityOf(marks),
      source: "rules",
      confidence,
    };
    const checked = validatePlan(plan, this.#deps);
    if (!checked.ok) throw guardrailError(checked.error);
    return { plan: checked.value, source: "rules", confidence, warnings };
  }
}

/** "traffic steering xApp", "xApps for traffic steering": the words say which xApp, not that a policy is wanted. */
function describesXapp(marks: readonly Mark[], i: number): boolean {
  for (let j = Math.max(0, i - 3); j <= Math.min(marks.length - 1, i + 3); j++) {
    const m = marks[j];
    if (m?.t === "nf" && m.ids.includes("xapp")) return true;
  }
  return marks[i + 1]?.t === "nf";
}

function refuseEarly(marks: readonly Mark[], text: string): void {
  const neg = marks.find((m): m is Extract<Mark, { t: "neg" }> => m.t === "neg");
  if (neg) {
    throw new PlanningError(
      PlanningErrorCode.Negation,
      `"${neg.text}": negated instructions are not acted on; state only what should be done`,
    );
  }
  const first = marks[0];
  if (
    first?.t === "word" &&
    QUESTION_OPENERS.has(first.w) &&
    (text.trim().endsWith("?") || !marks.some((m) => m.t === "verb"))
  ) {
    throw new PlanningError(
      PlanningErrorCode.NoAction,
      "this reads as a question, not an intent; ask the knowledge base (nephoran kb search) or say what to do",
    );
  }
  refuseVerbTypos(marks);
  const unsupported = marks.find((m): m is Extract<Mark, { t: "unsupported" }> => m.t === "unsupported");
  if (unsupported) {
    throw new PlanningError(
      PlanningErrorCode.UnknownNf,
      `"${unsupported.text}" is not a network function in the catalog; run "nephoran catalog" for the list`,
    );
  }
}

/** Verbs of five letters or more: a shorter unknown word is too often a real word one edit away. */
const TYPO_PRONE_VERBS = Object.keys(VERBS).filter((v) => v.length >= 5 && !v.includes(" "));

/**
 * "depoly the AMF": a word one or two edits from a verb is a typo, not noise to ignore — read as noise, the
 * NFs around it would fall to another verb of the sentence, or the text would read as having no action.
 */
function refuseVerbTypos(marks: readonly Mark[]): void {
  for (const m of marks) {
    if (m.t !== "word" || m.role !== "unknown" || m.w.length < 5) continue;
    const hint = didYouMean(m.w, TYPO_PRONE_VERBS);
    if (hint) {
      throw new PlanningError(
        PlanningErrorCode.Typo,
        `"${m.raw}" is not a word the planner knows${hint}; nothing was planned — correct it and try again`,
      );
    }
  }
}

interface Clause {
  readonly verb: VerbEntry | undefined;
  readonly marks: Mark[];
}

/** Splits at each verb; words before the first verb belong to it. No verb, no clause. */
function splitClauses(marks: readonly Mark[]): Clause[] {
  const verbAt = marks.flatMap((m, i) => (m.t === "verb" ? [i] : []));
  if (verbAt.length === 0) return [];
  return verbAt.map((at, k) => {
    const start = k === 0 ? 0 : at;
    const end = verbAt[k + 1] ?? marks.length;
    const verb = (marks[at] as Extract<Mark, { t: "verb" }>).verb;
    return { verb, marks: marks.slice(start, end).filter((_, idx) => start + idx !== at) };
  });
}

function mergeClauses(rs: readonly ClauseResult[]) {
  const expectations: Expectation[] = rs.flatMap((r) => r.expectations);
  const labels = Object.assign({}, ...rs.map((r) => r.labels)) as Record<string, string>;
  const pick = <K extends "threshold" | "policyType" | "sst" | "sd" | "namespace">(k: K): ClauseResult[K] =>
    rs.find((r) => r[k] !== undefined)?.[k];
  return {
    expectations,
    labels,
    orphans: rs.flatMap((r) => r.orphans),
    threshold: pick("threshold"),
    policyType: pick("policyType"),
    sst: pick("sst"),
    sd: pick("sd"),
    namespace: pick("namespace"),
  };
}

function noNfError(unknown: readonly string[]): PlanningError {
  const named = unknown.filter((w) => !VAGUE_NF_WORDS.has(w) && !/^\d/.test(w));
  if (named.length > 0 && !unknown.some((w) => VAGUE_NF_WORDS.has(w))) {
    return new PlanningError(
      PlanningErrorCode.UnknownNf,
      `"${named.join(" ")}" is not a network function in the catalog; run "nephoran catalog" for the list`,
    );
  }
  return new PlanningError(
    PlanningErrorCode.NoNf,
    "no network function named: say which one (AMF, SMF, UPF, NRF, CU-CP, DU, near-RT RIC, xApp …)",
  );
}

/** An unrecognised word listed beside NFs ("AMF and XYZ") is an NF we do not know, not noise. */
function refuseUnknownInList(results: readonly ClauseResult[], clauseMarks: readonly Mark[][]): void {
  results.forEach((r, k) => {
    const marks = clauseMarks[k] ?? [];
    for (const u of r.unknown) {
      const isConj = (m: Mark | undefined) =>
        (m?.t === "word" && (m.w === "and" || m.w === "or")) || (m?.t === "punct" && m.p === ",");
      const prev = marks[u.at - 1];
      const next = marks[u.at + 1];
      const listed =
        (isConj(prev) && marks[u.at - 2]?.t === "nf") || (isConj(next) && marks[u.at + 2]?.t === "nf");
      if (listed && /^[a-z][a-z0-9-]{1,15}$/.test(u.word)) {
        throw new PlanningError(
          PlanningErrorCode.UnknownNf,
          `"${u.word}" is not a network function in the catalog; run "nephoran catalog" for the list`,
        );
      }
    }
  });
}

/** "enable debug logging on SMF" → params { "debug-logging": true } on the clause's NFs. */
function setFlags(r: ClauseResult, flag: boolean): void {
  const words = r.unknown.map((u) => u.word).filter((w) => /^[a-z0-9][a-z0-9-]*$/.test(w));
  if (words.length === 0) return;
  const key = words.join("-").slice(0, 63);
  for (const d of r.drafts) d.params[key] = flag;
  r.unknown.splice(0, r.unknown.length);
}

function slice(type: SliceType, sst: number | undefined, sd: string | undefined) {
  return { type, sst: sst ?? DEFAULT_SST[type], ...(sd !== undefined ? { sd } : {}) };
}

function inferSliceType(expectations: readonly Expectation[]): SliceType | undefined {
  if (expectations.some((e) => e.target === "latency_ms")) return "URLLC";
  if (expectations.some((e) => e.target === "devices")) return "mMTC";
  if (expectations.some((e) => e.target.endsWith("throughput_mbps") || e.target === "users")) return "eMBB";
  return undefined;
}

function toAction(d: Draft, namespace: string | undefined, sl: ReturnType<typeof slice> | undefined): Action {
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

function intentTypeOf(actions: readonly Action[]): IntentType {
  const first = actions.find((a) => a.kind !== "policy") ?? actions[0];
  return first ? INTENT_TYPE[first.kind] : "nf.deploy";
}

function siteSelectorOf(marks: readonly Mark[], labels: Record<string, string>): { sites?: SiteSelector } {
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

function priorityOf(marks: readonly Mark[]): Priority {
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
function confidenceOf(marks: readonly Mark[], unknown: number): number {
  const content = marks.filter((m) => !(m.t === "punct" || (m.t === "word" && m.role !== "unknown"))).length;
  const share = content === 0 ? 0 : unknown / content;
  return Math.round(Math.max(0.3, 0.99 - share * 0.6) * 100) / 100;
}

function guardrailError(e: PlanRejectedError): PlanningError {
  return new PlanningError(PlanningErrorCode.Guardrail, `the plan breaks a guardrail: ${e.message}`, {
    violations: e.violations,
    cause: e,
  });
}
