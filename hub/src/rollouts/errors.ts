/** What a rollout refuses, as typed errors the API maps to answers in one place. */
export const RolloutErrorCode = {
  /** A strategy the targeted sites cannot meet (a canary picking no site, stages over 100 %). */
  Refused: "ROLLOUT_REFUSED",
  /** The intent has no rollout. */
  None: "NO_ROLLOUT",
  /** The rollout is in a state the action does not apply to. */
  State: "ROLLOUT_STATE",
} as const;
export type RolloutErrorCode = (typeof RolloutErrorCode)[keyof typeof RolloutErrorCode];

export class RolloutError extends Error {
  override readonly name = "RolloutError";
  constructor(
    readonly code: RolloutErrorCode,
    message: string,
  ) {
    super(message);
  }
}
