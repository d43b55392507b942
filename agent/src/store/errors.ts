export const StoreErrorCode = {
  Corrupt: "STORE_CORRUPT",
  Invalid: "STORE_INVALID_INPUT",
  /** Another agent runs on the data folder (see lock.ts). */
  InUse: "STORE_IN_USE",
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
