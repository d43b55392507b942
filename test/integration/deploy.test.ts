/**
 * The agent as its image carries it: `pnpm deploy --prod` of the agent package (what the `agent` target of
 * edge-images/Dockerfile does), started from that folder alone. Without a container engine here, this is
 * the image's contents, run: it starts, serves its probes and its status, and stops on SIGTERM.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../harness/agent";
import { freePort } from "../harness/ports";
import { spawnChild } from "../harness/process";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The project's pinned pnpm: the one on PATH when its version matches, else through npm exec (as lib.sh does). */
async function pnpm(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { packageManager: string };
  const version = pkg.packageManager.replace(/^pnpm@/, "");
  const onPath = await run("pnpm", ["--version"]).then(
    (r) => r.stdout.trim(),
    () => "",
  );
  const opts = { cwd: ROOT, timeout: 180_000 };
  return onPath === version
    ? run("pnpm", args, opts)
    : run("npm", ["exec", "--yes", `pnpm@${version}`, "--", ...args], opts);
}

describe("agent deployed with pnpm deploy --prod", () => {
  const dir = mkdtempSync(join(tmpdir(), "nephoran-deploy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts from the deployed folder alone and serves /healthz, /readyz and /status", async () => {
    const out = join(dir, "agent");
    await pnpm(["--filter", "@nephoran/agent", "deploy", "--prod", "--legacy", out]);
    const port = await freePort();
    const agent = spawnChild(
      join(out, "bin", "nephoran-agent"),
      ["agent", "--site", "deployed", "--data", join(dir, "data"), "--status-listen", String(port)],
      {},
    );
    try {
      await agent.waitFor("status at http://127.0.0.1:", 30_000);
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, 20_000, 100);
      const status = (await (await fetch(`${base}/status`)).json()) as { site: string; target: string };
      expect(status).toMatchObject({
        site: "deployed",
        target: `directory:${join(dir, "data", "manifests")}`,
      });
    } finally {
      agent.proc.kill("SIGTERM");
    }
    expect((await agent.exited).code).toBe(0);
  });
});
