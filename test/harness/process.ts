/** Runs the built `nephoran` binary as a child process, for tests that kill and restart it. */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const NEPHORAN_BIN = fileURLToPath(new URL("../../agent/bin/nephoran.js", import.meta.url));
const DIST = fileURLToPath(new URL("../../agent/dist/cli.js", import.meta.url));

export interface Child {
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export function spawnNephoran(args: readonly string[], env: Record<string, string> = {}): Child {
  if (!existsSync(DIST))
    throw new Error("agent/dist is missing: run `pnpm build` (the test script does) before this suite");
  const proc = spawn(process.execPath, [NEPHORAN_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, exited, output: () => out };
}
