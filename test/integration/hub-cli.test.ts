/** A running hub driven through the `nephoran` CLI the way a new user would. */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { Hub, HubConfig } from "@nephoran/hub";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../../scripts/nephoran.mjs", import.meta.url));
const ADMIN = "integration-admin-token-0123456789";

let hub: Hub;
let url: string;

async function nephoran(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, NEPHORAN_HUB: url, NEPHORAN_TOKEN: ADMIN },
      timeout: 30_000,
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e: unknown) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

beforeAll(async () => {
  hub = new Hub(
    HubConfig.parse({
      dataDir: mkdtempSync(join(tmpdir(), "nephoran-hub-it-")),
      adminToken: ADMIN,
      port: 0,
      sync: { transport: "embedded", port: 0 },
    }),
    { logger: pino({ level: "silent" }) },
  );
  url = await hub.start();
});
afterAll(async () => {
  await hub?.stop();
});

describe("hub through the CLI", () => {
  it("enrolls a site, creates a fleet intent in plain language and follows its rollout to Ready", async () => {
    const token = await nephoran("site", "token", "edge01", "--labels", "region=eu");
    expect(token.code).toBe(0);
    expect(token.out.trim()).toMatch(/^npe_/);
    const enrolled = await fetch(`${url}/v1/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: token.out.trim(), agentVersion: "0.1.0" }),
    });
    expect(enrolled.status).toBe(201);
    const { credential } = (await enrolled.json()) as { credential: string };

    const created = await nephoran(
      "intent",
      "create",
      "--json",
      "Deploy 2 AMF and 3 SMF on all sites in region eu",
    );
    expect(created.code).toBe(0);
    const intent = JSON.parse(created.out) as { id: string; revision: number };
    expect((await nephoran("intent", "list")).out).toContain(intent.id);

    const pending = await nephoran("intent", "get", intent.id);
    expect(pending.out).toContain("1 targeted");
    expect(pending.out).toContain("edge01: Offline");

    // The site reports (what the sync layer will carry): the rollup follows.
    hub.deps.store.putReport({
      siteId: "edge01",
      intentId: intent.id,
      revision: intent.revision,
      phase: "Ready",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date().toISOString() }],
      nfStatus: [],
      observedAt: new Date().toISOString(),
      reportSeq: 1,
    });
    const watched = await nephoran("intent", "watch", intent.id, "--interval", "0.2");
    expect(watched.code).toBe(0);
    expect(watched.out).toContain("Ready 1");

    const site = await nephoran("site", "get", "edge01");
    expect(site.out).toContain(`${intent.id} r1: Ready`);
    expect((await nephoran("site", "list")).out).toContain("edge01");

    // The site's own credential is worthless on the operator API.
    const asSite = await run(process.execPath, [CLI, "intent", "list"], {
      env: { ...process.env, NEPHORAN_HUB: url, NEPHORAN_TOKEN: credential },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((asSite as { code: number }).code).toBe(2);
    expect((asSite as { stderr: string }).stderr).toContain("FORBIDDEN");

    expect((await nephoran("intent", "delete", intent.id)).code).toBe(0);
    expect((await nephoran("intent", "get", "--json", intent.id)).out).toContain('"state": "deleting"');
  });

  it("gives clear refusals: an unsafe intent, a bad token, an unreachable hub", async () => {
    const unsafe = await nephoran("intent", "create", "Deploy 99 AMF at edge01");
    expect(unsafe.code).toBe(2);
    expect(unsafe.err).toContain("PLAN_REFUSED");
    expect(unsafe.err).toContain("replicas.range");
    const bad = await run(process.execPath, [CLI, "intent", "list", "--token", "nph_wrong"], {
      env: { ...process.env, NEPHORAN_HUB: url },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { stderr: string }).stderr).toContain("UNAUTHENTICATED");
    const gone = await run(process.execPath, [
      CLI,
      "intent",
      "list",
      "--hub",
      "http://127.0.0.1:9",
      "--token",
      ADMIN,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((gone as { code: number }).code).toBe(1);
    expect((gone as { stderr: string }).stderr).toContain("cannot reach the hub");
  });
});
