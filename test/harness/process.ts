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
  /** Resolves once the output contains `text`; rejects if the process exits first or after `ms`. */
  waitFor(text: string, ms?: number): Promise<void>;
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
  const waitFor = (text: string, ms = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!out.includes(text)) return;
        cleanup();
        resolve();
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`process exited before printing ${JSON.stringify(text)}:\n${out}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${JSON.stringify(text)} within ${ms} ms:\n${out}`));
      }, ms);
      const cleanup = () => {
        clearTimeout(timer);
        proc.stdout?.off("data", check);
        proc.stderr?.off("data", check);
        proc.off("exit", onExit);
      };
      proc.stdout?.on("data", check);
      proc.stderr?.on("data", check);
      proc.once("exit", onExit);
      check();
    });
  return { proc, exited, output: () => out, waitFor };
}
