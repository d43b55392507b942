/**
 * The product's main job as a user runs it: `npm start`, Ctrl-C, `npm start` again — twenty times in a row.
 * Each stop must end every process within 5 s and free the ports, whatever the broker was doing, and the
 * state (the hub's token and intents, the site's enrollment and manifests) must survive every round.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../harness/ports";
import { spawnChild } from "../harness/process";
import { eventually } from "../harness/agent";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ROUNDS = Number(process.env["NEPHORAN_RESTART_ROUNDS"] ?? 20);

/** Whether any process of the group is left. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether nothing listens on the port any more (a connection is refused). */
const portFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });

describe("npm start, Ctrl-C, npm start", () => {
  it(`stops within 5 s and keeps its state, ${ROUNDS} times in a row`, async () => {
    const state = mkdtempSync(join(tmpdir(), "nephoran-start-"));
    const [hubPort, brokerPort, statusPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      NEPHORAN_STATE: state,
      NEPHORAN_HUB_PORT: String(hubPort),
      NEPHORAN_BROKER_PORT: String(brokerPort),
      NEPHORAN_STATUS_PORT: String(statusPort),
    };
    const hub = `http://127.0.0.1:${hubPort}`;
    let intentId: string | undefined;
    let enrollment: string | undefined;
    const stops: number[] = [];

    for (let round = 1; round <= ROUNDS; round++) {
      const run = spawnChild("npm", ["start"], env, { group: true, cwd: ROOT });
      // Every process holding the output pipes is gone once they close: npm, the script, hub and agent.
      const closed = new Promise<void>((resolve) => run.proc.once("close", () => resolve()));
      await run.waitFor("Nephoran Edge is running", 180_000);
      const token = readFileSync(join(state, "hub", "admin-token"), "utf8").trim();
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${hub}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        });

      if (round === 1) {
        const r = await api("/v1/intents", {
          method: "POST",
          body: JSON.stringify({
            text: "Deploy a basic AMF instance for testing",
            siteSelector: { names: ["demo"] },
          }),
        });
        expect(r.status).toBe(201);
        intentId = ((await r.json()) as { id: string }).id;
        enrollment = readFileSync(join(state, "site-demo", "enrollment.json"), "utf8");
      }
      // State kept: the same intent at the hub, the same enrollment at the site, its manifests on disk.
      const got = await api(`/v1/intents/${intentId as string}`);
      expect(got.status, `round ${round}`).toBe(200);
      expect(readFileSync(join(state, "site-demo", "enrollment.json"), "utf8")).toBe(enrollment);
      await eventually(() => {
        const dir = join(state, "site-demo", "manifests");
        return existsSync(dir) && readdirSync(dir).length > 0;
      }, 30_000);

      // Ctrl-C: SIGINT to the whole process group, as a terminal sends it.
      const started = performance.now();
      process.kill(-(run.proc.pid as number), "SIGINT");
      const exit = await run.exited;
      // npm re-raises the Ctrl-C on itself; what it ran must end too: every process of the group, and
      // every holder of the output pipes.
      await eventually(() => !groupAlive(run.proc.pid as number), 5_000, 20);
      await closed;
      for (const port of [hubPort, brokerPort, statusPort]) await eventually(() => portFree(port), 5_000, 20);
      const took = performance.now() - started;
      stops.push(took);
      expect(exit.code === 0 || exit.signal === "SIGINT", `round ${round}: ${run.output().slice(-600)}`).toBe(
        true,
      );
      expect(run.output(), `round ${round}`).not.toContain("error:");
      expect(took, `round ${round} took ${Math.round(took)} ms to stop`).toBeLessThan(5_000);
    }
    console.log(`stop times (ms): ${stops.map((s) => Math.round(s)).join(" ")}`);
  });
});
