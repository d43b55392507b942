/**
 * One agent to a site's data folder, as processes: a second agent started on a folder an agent runs stops at
 * once with a clear error and leaves the first running; an agent killed outright (SIGKILL) leaves no stale lock.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { uniqueSite } from "../harness/agent";
import type { Child } from "../harness/process";
import { spawnNephoran } from "../harness/process";

const started: Child[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const c of started) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await Promise.all(started.map((c) => c.exited));
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

describe("the agent's data folder", () => {
  it("runs one agent at a time, and a killed one leaves it free", async () => {
    const site = uniqueSite("lock");
    const data = mkdtempSync(join(tmpdir(), "nephoran-agent-lock-"));
    folders.push(data);
    const agent = () => {
      const c = spawnNephoran(["agent", "--site", site, "--data", data, "--status-listen", "off"]);
      started.push(c);
      return c;
    };
    const first = agent();
    await first.waitFor("agent starting");

    const second = agent();
    const ended = await Promise.race([
      second.exited,
      new Promise<"still running">((r) => setTimeout(() => r("still running"), 20_000)),
    ]);
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
});
