/**
 * A port already taken, at each door that listens: the hub's API, its embedded broker, the agent's status
 * endpoint. Each refuses in one line that names the endpoint, the address and the reason, exits 1 at once, and
 * leaves nothing behind: no broker still holding its port, a store the next start opens as it was.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createHub, HubConfig } from "@nephoran/hub";
import { ListenError, listen } from "@nephoran/shared";
import { uniqueSite } from "../harness/agent";
import { freePort } from "../harness/ports";
import type { Child } from "../harness/process";
import { endedWithin, spawnNephoran, spawnProduct } from "../harness/process";

const ADMIN = "ports-taken-admin-token-0123456789";
const IN_USE = "the port is in use";

let holder: Server;
/** A port another process (here, this one) is listening on. */
let taken = 0;
const folders: string[] = [];
const started: Child[] = [];

const folder = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `nephoran-ports-${name}-`));
  folders.push(d);
  return d;
};

/** Resolves once `port` on 127.0.0.1 can be listened on again. */
const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });

beforeAll(async () => {
  holder = createServer();
  taken = (await listen(holder, 0, "127.0.0.1", "the port holder")).port;
});
afterAll(async () => {
  for (const c of started) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await Promise.all(started.map((c) => c.exited));
  await new Promise((resolve) => holder.close(resolve));
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/** `args` run as `npm run nephoran -- …` would; its end (exit or "still running" after 15 s) and what it said. */
async function product(
  args: string[],
): Promise<{ ended: Awaited<ReturnType<typeof endedWithin>>; out: string }> {
  const c = spawnProduct(args, { NEPHORAN_ADMIN_TOKEN: ADMIN });
  started.push(c);
  const ended = await endedWithin(c, 15_000);
  return { ended, out: c.output() };
}

describe("a port already taken", () => {
  it("the hub's API: one line naming it, exit 1, and the same data folder starts on a free port", async () => {
    const data = folder("hub-api");
    const refused = await product(["hub", "--port", String(taken), "--broker-port", "0", "--data", data]);
    expect(refused.ended, refused.out).toEqual({ code: 1, signal: null });
    expect(refused.out).toContain(
      `nephoran hub: the hub's API cannot listen on 127.0.0.1:${taken}: ${IN_USE}`,
    );
    expect(refused.out).not.toMatch(/Unhandled 'error' event|\n\s+at /);

    const port = await freePort();
    const hub = spawnProduct(["hub", "--port", String(port), "--broker-port", "0", "--data", data], {
      NEPHORAN_ADMIN_TOKEN: ADMIN,
    });
    started.push(hub);
    await hub.waitFor("listening on", 30_000);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    hub.proc.kill("SIGTERM");
    expect(await endedWithin(hub, 15_000)).toEqual({ code: 0, signal: null });
  });

  it("the hub's embedded broker: one line naming it, and the hub exits instead of hanging", async () => {
    const refused = await product([
      "hub",
      "--port",
      "0",
      "--broker-port",
      String(taken),
      "--data",
      folder("hub-broker"),
    ]);
    expect(refused.ended, refused.out).toEqual({ code: 1, signal: null });
    expect(refused.out).toContain(
      `nephoran hub: the embedded broker cannot listen on 127.0.0.1:${taken}: ${IN_USE}`,
    );
  });

  it("a hub whose API cannot listen undoes its start: its embedded broker lets go of its port", async () => {
    const brokerPort = await freePort();
    const hub = await createHub(
      HubConfig.parse({
        dataDir: folder("hub-undo"),
        adminToken: ADMIN,
        port: taken,
        sync: { transport: "embedded", port: brokerPort },
      }),
      { logger: pino({ level: "silent" }) },
    );
    expect(await free(brokerPort)).toBe(false);
    const failed = await hub.start().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ListenError);
    expect((failed as ListenError).code).toBe("EADDRINUSE");
    expect(await free(brokerPort)).toBe(true);
  });

  it("the agent's status endpoint: one line naming it, exit 1", async () => {
    const c = spawnNephoran([
      "agent",
      "--site",
      uniqueSite("ports"),
      "--data",
      folder("agent"),
      "--target",
      `directory:${folder("agent-out")}`,
      "--status-listen",
      `127.0.0.1:${taken}`,
    ]);
    started.push(c);
    expect(await endedWithin(c, 15_000), c.output()).toEqual({ code: 1, signal: null });
    expect(c.output()).toContain(
      `nephoran agent: the status endpoint cannot listen on 127.0.0.1:${taken}: ${IN_USE}`,
    );
    expect(c.output()).toContain("agent stopped");
  });
});
