/** Runs the built `nephoran` binary as a child process, for tests that kill and restart it. */
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const NEPHORAN_BIN = fileURLToPath(new URL("../../agent/bin/nephoran.js", import.meta.url));
const DIST = fileURLToPath(new URL("../../agent/dist/cli.js", import.meta.url));
const HUB_DIST = fileURLToPath(new URL("../../hub/dist/index.js", import.meta.url));
/** The agent as an edge box runs it: the launcher of the tree-shaken bundle. */
export const EDGE_AGENT_BIN = fileURLToPath(new URL("../../agent/bin/nephoran-agent", import.meta.url));
const EDGE_DIST = fileURLToPath(new URL("../../agent/dist/edge/nephoran-agent.js", import.meta.url));

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
  return spawnChild(process.execPath, [NEPHORAN_BIN, ...args], env);
}

/** The whole product's CLI (hub commands included), as `npm run nephoran` runs it. */
export const PRODUCT_BIN = fileURLToPath(new URL("../../scripts/nephoran.mjs", import.meta.url));

export function spawnProduct(args: readonly string[], env: Record<string, string> = {}): Child {
  if (!existsSync(HUB_DIST))
    throw new Error("hub/dist is missing: run `pnpm build` (the test script does) before this suite");
  return spawnChild(process.execPath, [PRODUCT_BIN, ...args], env);
}

/** The edge bundle's launcher, as the agent's image runs it. */
export function spawnEdgeAgent(args: readonly string[], env: Record<string, string> = {}): Child {
  if (!existsSync(EDGE_DIST))
    throw new Error("agent/dist/edge is missing: run `pnpm build` (the test script does) first");
  return spawnChild(EDGE_AGENT_BIN, args, env);
}

/** CPU (user + system) and resident memory of a running process, from /proc. */
export function processStats(pid: number): { cpuSeconds: number; rssMb: number } {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { cpuSeconds: (Number(f[11]) + Number(f[12])) / 100, rssMb: rss / 1024 };
}

/** `group`: the child leads its own process group, so a test can signal it all as a terminal's Ctrl-C does. */
export function spawnChild(
  cmd: string,
  args: readonly string[],
  env: Record<string, string>,
  opts: { group?: boolean; cwd?: string } = {},
): Child {
  const proc = spawn(cmd, [...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(opts.group ? { detached: true } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
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

/**
 * How the child ended, or "still running" after `ms`; a child still running is then SIGKILLed, so no process
 * outlives the test that started it.
 */
export async function endedWithin(
  child: Child,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    child.exited,
    new Promise<"still running">((r) => (timer = setTimeout(() => r("still running"), ms))),
  ]);
  clearTimeout(timer);
  if (ended === "still running") {
    child.proc.kill("SIGKILL");
    await child.exited;
  }
  return ended;
}

/** Every server process group this test process started that still runs: killed when it exits, whatever happened. */
const servers = new Set<Child>();
process.once("exit", () => {
  for (const c of servers)
    try {
      process.kill(-(c.proc.pid as number), "SIGKILL");
    } catch {
      // gone already
    }
});

/** Kills `c`'s process group when this process exits (unless `stoppedServer(c)` said it stopped). */
export function reapOnExit(c: Child): void {
  servers.add(c);
}

/** `c` stopped (or is being stopped) by its owner: nothing to reap at exit. */
export function stoppedServer(c: Child): void {
  servers.delete(c);
}
