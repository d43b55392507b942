/**
 * One agent to a site's data folder, as processes: a second agent started on a folder an agent runs stops at
 * once with a clear error and leaves the first running; an agent killed outright (SIGKILL) leaves no stale lock;
 * an agent asked to stop while it is still starting (here, waiting for the lock) starts, then stops cleanly.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueSite } from "../harness/agent";
import type { Child } from "../harness/process";
import { endedWithin, spawnNephoran } from "../harness/process";

const started: Child[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const c of started) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await Promise.all(started.map((c) => c.exited));
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/** An agent on a new data folder of its own, as many times as `agent()` is called. */
function folder() {
  const site = uniqueSite("lock");
  const data = mkdtempSync(join(tmpdir(), "nephoran-agent-lock-"));
  folders.push(data);
  const agent = () => {
    const c = spawnNephoran(["agent", "--site", site, "--data", data, "--status-listen", "off"]);
    started.push(c);
    return c;
  };
  return { data, agent };
}

/** Whether the process has `file` open (Linux: /proc). */
function holdsOpen(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe("the agent's data folder", () => {
  it("runs one agent at a time, and a killed one leaves it free", async () => {
    const { data, agent } = folder();
    const first = agent();
    await first.waitFor("agent starting");

    const second = agent();
    const ended = await endedWithin(second, 20_000);
    expect(ended, second.output()).toEqual({ code: 1, signal: null });
    expect(second.output()).toContain(`another agent is running on the data folder ${data}`);
    expect(second.output()).not.toContain("agent starting");
    expect(first.proc.exitCode).toBeNull();

    first.proc.kill("SIGKILL");
    await first.exited;
    const third = agent();
    await third.waitFor("agent starting");
    expect(third.output()).not.toContain("another agent");
    third.proc.kill("SIGKILL");
    await third.exited;
  }, 60_000);

  it("keeps a stop asked while the agent starts, and stops it cleanly once started", async () => {
    const { data, agent } = folder();
    const first = agent();
    await first.waitFor("agent starting");
    // The second waits for the lock (up to 3 s): it is still starting when it is told to stop.
    const second = agent();
    const pid = second.proc.pid as number;
    const lock = join(data, "agent.lock");
    const end = Date.now() + 20_000;
    while (!holdsOpen(pid, lock)) {
      if (Date.now() > end || second.proc.exitCode !== null) throw new Error(second.output());
      await new Promise((r) => setTimeout(r, 20));
    }
    second.proc.kill("SIGTERM");
    // The first lets go of the folder within the second's wait: the second takes it, starts, and stops.
    first.proc.kill("SIGKILL");
    await first.exited;
    const ended = await endedWithin(second, 20_000);
    expect(ended, second.output()).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain("agent starting");
    expect(second.output()).toContain("agent stopped");
    // It let go of the folder on its way out.
    const third = agent();
    await third.waitFor("agent starting");
    third.proc.kill("SIGTERM");
    expect(await third.exited).toEqual({ code: 0, signal: null });
  }, 60_000);
});
