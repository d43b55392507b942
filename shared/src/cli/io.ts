/** What a CLI command may touch: its output streams and environment, injected so commands are testable. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the exit code: 0 success, 2 refused or bad usage, 1 failure. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const EXIT = { ok: 0, failure: 1, refused: 2 } as const;
