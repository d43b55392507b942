/** Refusals made before any clause is read: negations, questions, NFs outside the catalog, typos of verbs. */
import { didYouMean } from "../../nearest";
import { PlanningError, PlanningErrorCode } from "../errors";
import type { Mark } from "./marks";
import { QUESTION_OPENERS, VERBS } from "./vocabulary";

/** "traffic steering xApp", "xApps for traffic steering": the words say which xApp, not that a policy is wanted. */
export function describesXapp(marks: readonly Mark[], i: number): boolean {
  for (let j = Math.max(0, i - 3); j <= Math.min(marks.length - 1, i + 3); j++) {
    const m = marks[j];
    if (m?.t === "nf" && m.ids.includes("xapp")) return true;
  }
  return marks[i + 1]?.t === "nf";
}

export function refuseEarly(marks: readonly Mark[], text: string): void {
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
