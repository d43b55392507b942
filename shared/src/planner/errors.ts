import type { Violation } from "../guardrails";

/** Why a text did not become a plan. */
export const PlanningErrorCode = {
  /** No action word: nothing says what to do. */
  NoAction: "NO_ACTION",
  /** An action, but no network function it applies to. */
  NoNf: "NO_NF",
  /** Names a network function that the catalog does not have. */
  UnknownNf: "UNKNOWN_NF",
  /** A needed value is missing ("scale UPF" without a count). */
  MissingValue: "MISSING_VALUE",
  /** A value that cannot be used as written (2.5 replicas, an invalid site name). */
  InvalidValue: "INVALID_VALUE",
  /** A change relative to the current state ("scale in by 2") without that state. */
  RelativeChange: "RELATIVE_CHANGE",
  /** Negated instructions ("don't deploy …") are refused rather than guessed at. */
  Negation: "NEGATION",
  /** A word that looks like a mistyped one the planner knows ("depoly"); the refusal says which. */
  Typo: "TYPO",
  /** Parts of the text contradict each other or cannot be said in one plan. */
  Conflict: "CONFLICT",
  /** The plan was understood but breaks a guardrail. */
  Guardrail: "GUARDRAIL",
} as const;
export type PlanningErrorCode = (typeof PlanningErrorCode)[keyof typeof PlanningErrorCode];

export const isPlanningErrorCode = (v: unknown): v is PlanningErrorCode =>
  Object.values(PlanningErrorCode).includes(v as PlanningErrorCode);

export class PlanningError extends Error {
  override readonly name = "PlanningError";
  readonly code: PlanningErrorCode;
  readonly violations: readonly Violation[];

  constructor(
    code: PlanningErrorCode,
    message: string,
    options?: { violations?: readonly Violation[]; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.violations = options?.violations ?? [];
  }

  toJSON(): { code: PlanningErrorCode; message: string; violations: readonly Violation[] } {
    return { code: this.code, message: this.message, violations: this.violations };
  }
}
