/** The offline, deterministic planner: text → IntentPlan by rules, then the guardrails. */
import type { Catalog } from "../../catalog";
import type { IntentPlan, SliceType } from "../../domain";
import type { GuardrailPolicy, PlanRejectedError } from "../../guardrails";
import { GuardrailRule, validatePlan } from "../../guardrails";
import { err, ok } from "../../result";
import { PlanningError, PlanningErrorCode } from "../errors";
import { splitAssurance } from "../assurance-phrases";
import { splitRollout } from "../rollout-phrases";
import type { PlanOptions, PlanOutput, PlanResult, Planner } from "../types";
import { Annotator } from "./annotate";
import type { ClauseResult, Expectation } from "./clause";
import { readClause } from "./clause";
import type { Draft } from "./drafts";
import { assertNoRelativeWithout, mergeRepeats, newDraft } from "./drafts";
import { tokenize } from "./lexer";
import { joinParticles } from "./particles";
import type { Mark } from "./marks";
import { checkSiteGroups, markSites } from "./sites";
import type { VerbEntry } from "./vocabulary";
import { VAGUE_NF_WORDS } from "./vocabulary";
import {
  confidenceOf,
  inferSliceType,
  intentTypeOf,
  priorityOf,
  siteSelectorOf,
  slice,
  toAction,
} from "./assemble";
import { describesXapp, refuseEarly } from "./refusals";

const SLICE_DEFAULT_NFS = ["smf", "upf"] as const;
const TRAFFIC_STEERING = 20008;

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

  /** The stages, in order: read the text, read each clause, settle the drafts, make and check the plan. */
  #plan(text: string, options: PlanOptions): PlanOutput {
    // A staged rollout said in words is the intent's, not its NFs': taken out before the rest is read.
    const { text: staged, rollout } = splitRollout(text);
    // So is what the site is to keep checking and acting on ("keep latency under 5 ms").
    const assured = splitAssurance(staged);
    const said = assured.text;
    const marks = this.#marksOf(said, options);
    const warnings: string[] = [];
    const modes = modesOf(marks);
    const read = readClauses(marks, modes);
    const merged = mergeClauses(read.map((x) => x.r));
    const sliceType = sliceTypeOf(marks, modes, merged.expectations, warnings);
    const drafts = settleDrafts(marks, read, merged, modes, options, warnings);
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
      ...(merged.expectations.length || assured.expectations.length
        ? { expectations: [...merged.expectations, ...assured.expectations] }
        : {}),
      ...(assured.remediate ? { assurance: { remediate: true } } : {}),
      ...(rollout ? { rollout } : {}),
      priority: priorityOf(marks),
      source: "rules",
      confidence,
    };
    const checked = validatePlan(plan, this.#deps);
    if (!checked.ok) throw guardrailError(checked.error);
    return { plan: checked.value, source: "rules", confidence, warnings };
  }

  /** Stage 1: the text as marks — its length checked, words annotated, sites found, early refusals made. */
  #marksOf(text: string, options: PlanOptions): Mark[] {
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
    refuseEarly(marks, text);
    checkSiteGroups(marks);
    return marks;
  }
}

interface Modes {
  readonly sliceMode: boolean;
  readonly policyMode: boolean;
}

function modesOf(marks: readonly Mark[]): Modes {
  return {
    sliceMode: marks.some((m) => m.t === "slice" || m.t === "sliceType"),
    // "traffic steering xApp": the words describe the xApp, they do not ask for a policy.
    policyMode: marks.some((m, i) => m.t === "policy" && !describesXapp(marks, i)),
  };
}

interface ReadClause {
  readonly verb: VerbEntry | undefined;
  readonly marks: Mark[];
  readonly r: ClauseResult;
}

/** Stage 2: each clause read on its own. No verb, no plan. */
function readClauses(marks: readonly Mark[], modes: Modes): ReadClause[] {
  const clauses = splitClauses(marks);
  if (clauses.length === 0) {
    throw new PlanningError(
      PlanningErrorCode.NoAction,
      "no action found: say what to do (deploy, scale, delete, configure, or apply a policy) and to which network function",
    );
  }
  return clauses.map((c) => ({ ...c, r: readClause(c.verb, c.marks, modes) }));
}

/** The slice type named, or inferred from the expectations (and said so). */
function sliceTypeOf(
  marks: readonly Mark[],
  modes: Modes,
  expectations: readonly Expectation[],
  warnings: string[],
): SliceType | undefined {
  const named = marks.find((m): m is Extract<Mark, { t: "sliceType" }> => m.t === "sliceType")?.type;
  if (named || !modes.sliceMode) return named;
  const inferred = inferSliceType(expectations);
  if (!inferred)
    throw new PlanningError(PlanningErrorCode.MissingValue, "which kind of slice: eMBB, URLLC or mMTC?");
  warnings.push(`slice type ${inferred} inferred from the expectations`);
  return inferred;
}

/**
 * Stage 3: the clauses' drafts made whole — the policy and a slice's default NFs added, modifiers with no
 * NF of their own applied to all, flags and security words set, repeats merged, relative changes resolved.
 */
function settleDrafts(
  marks: readonly Mark[],
  read: readonly ReadClause[],
  merged: ReturnType<typeof mergeClauses>,
  modes: Modes,
  options: PlanOptions,
  warnings: string[],
): Draft[] {
  let drafts = read.flatMap((x) => x.r.drafts);
  if (modes.policyMode) {
    const params: Record<string, number> = { policyTypeId: merged.policyType ?? TRAFFIC_STEERING };
    if (merged.threshold !== undefined) params["threshold"] = merged.threshold;
    const d = newDraft("policy", "near-rt-ric");
    d.params = params;
    drafts = [...drafts.filter((x) => x.nf !== "near-rt-ric" || x.kind !== "configure"), d];
  }
  if (modes.sliceMode && drafts.length === 0) {
    const kind = read[0]?.verb?.kind ?? "deploy";
    drafts = SLICE_DEFAULT_NFS.map((nf) => newDraft(kind, nf));
  }
  if (drafts.length === 0) throw noNfError(read.flatMap((x) => x.r.unknown.map((u) => u.word)));
  refuseUnknownInList(
    read.map((x) => x.r),
    read.map((x) => x.marks),
  );
  for (const orphan of merged.orphans) drafts.filter((d) => d.kind !== "policy").forEach(orphan);
  for (const c of read) if (c.verb?.flag !== undefined) setFlags(c.r, c.verb.flag);
  for (const m of marks) {
    if (m.t === "security") drafts.forEach((d) => (d.params[m.key] = true));
    if (m.t === "nf" && m.note) warnings.push(m.note);
  }
  drafts = mergeRepeats(drafts);
  assertNoRelativeWithout(drafts, options.current);
  const uncounted = drafts.find((d) => d.kind === "scale" && d.replicas === undefined);
  if (uncounted) {
    throw new PlanningError(
      PlanningErrorCode.MissingValue,
      `how many replicas? say the target count, e.g. "scale ${uncounted.nf} to 3"`,
    );
  }
  return drafts;
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

function guardrailError(e: PlanRejectedError): PlanningError {
  return new PlanningError(PlanningErrorCode.Guardrail, `the plan breaks a guardrail: ${e.message}`, {
    violations: e.violations,
    cause: e,
  });
}
