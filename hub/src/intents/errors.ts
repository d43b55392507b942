/** Why the intent lifecycle refused a request; the API maps each code to its HTTP answer in one place. */
export const IntentErrorCode = {
  /** The text could not be planned, or the plan breaks a guardrail. */
  PlanRefused: "PLAN_REFUSED",
  /** The text names other sites than the selector given beside it. */
  SitesConflict: "SITES_CONFLICT",
  /** A selector names sites the hub neither has nor expects, or matches none. */
  UnknownSites: "UNKNOWN_SITES",
  /** No selector given and none in the text. */
  NoSites: "NO_SITES",
} as const;
export type IntentErrorCode = (typeof IntentErrorCode)[keyof typeof IntentErrorCode];

export class IntentError extends Error {
  override readonly name = "IntentError";
  constructor(
    readonly code: IntentErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
