export const ProtocolErrorCode = {
  NotJson: "NOT_JSON",
  Version: "UNSUPPORTED_VERSION",
  Invalid: "INVALID_MESSAGE",
  WrongSite: "WRONG_SITE",
} as const;
export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** A message that cannot be taken: it is dropped and logged, never half-applied. */
export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
