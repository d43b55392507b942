/** A running hub driven through the `nephoran` CLI the way a new user would. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import type { Agent } from "@nephoran/agent";
import type { Hub } from "@nephoran/hub";
import { createHub, HubConfig } from "@nephoran/hub";
import type { SiteSyncCredentials } from "@nephoran/shared";
import { eventually } from "../harness/agent";
import { freePort } from "../harness/ports";
import { syncedAgent } from "../harness/sync";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../../scripts/nephoran.mjs", import.meta.url));
const ADMIN = "integration-admin-token-0123456789";

let hub: Hub;
let agent: Agent | undefined;
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
  hub = await createHub(
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
  await agent?.stop();
  await hub?.stop();
});

describe("hub through the CLI", () => {
  it("enrolls a site, creates a fleet intent in plain language and follows its rollout until it settles", async () => {
    const token = await nephoran("site", "token", "edge01", "--labels", "region=eu");
    expect(token.code).toBe(0);
    expect(token.out.trim()).toMatch(/^npe_/);
    // The edge side: `nephoran enroll` spends the token and keeps the site's credentials.
    const dataDir = mkdtempSync(join(tmpdir(), "nephoran-edge01-"));
    const enrolled = await nephoran("enroll", "--hub", url, "--token", token.out.trim(), "--data", dataDir);
    expect(enrolled.code, enrolled.err).toBe(0);
    expect(enrolled.out).toContain("enrolled site edge01");
    const kept = JSON.parse(readFileSync(join(dataDir, "enrollment.json"), "utf8")) as {
      credential: string;
      sync: SiteSyncCredentials;
    };
    expect(statSync(join(dataDir, "enrollment.json")).mode & 0o777).toBe(0o600);
    const { credential } = kept;
    agent = syncedAgent("edge01", kept.sync, dataDir);
    agent.start();

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

    // The agent applies it and reports over the embedded broker: the rollup follows.
    const watched = await nephoran("intent", "watch", intent.id, "--interval", "0.2");
    expect(watched.code).toBe(0);
    // The site writes manifests to a folder, which cannot observe readiness: Applied, and settled.
    expect(watched.out).toContain("1 targeted, 1 settled — Applied 1");
    expect(watched.out).not.toContain("Ready 1");

    const site = await nephoran("site", "get", "edge01");
    expect(site.out).toContain(`${intent.id} r1: Applied`);
    expect((await nephoran("site", "list")).out).toContain("edge01");

    // The site's own credential is worthless on the operator API.
    const asSite = await run(process.execPath, [CLI, "intent", "list"], {
      env: { ...process.env, NEPHORAN_HUB: url, NEPHORAN_TOKEN: credential },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((asSite as { code: number }).code).toBe(2);
    expect((asSite as { stderr: string }).stderr).toContain("FORBIDDEN");

    expect((await nephoran("intent", "delete", intent.id)).code).toBe(0);
    // Gone from the site, then from the hub once the site acknowledged.
    await eventually(() => agent?.store.getIntent(intent.id) === undefined);
    await eventually(async () => (await nephoran("intent", "get", intent.id)).err.includes("NOT_FOUND"));
  });

  it("stages an intent from the command line: its rollout as it passes, its revisions, refusals", async () => {
    const created = await nephoran(
      "intent",
      "create",
      "--json",
      "--canary",
      "edge01",
      "--max-failures",
      "0",
      "Deploy 1 AMF on all sites in region eu",
    );
    expect(created.code, created.err).toBe(0);
    const intent = JSON.parse(created.out) as { id: string; rollout: unknown };
    expect(intent.rollout).toEqual({ canary: { names: ["edge01"] }, maxFailures: 0 });
    const watched = await nephoran("intent", "watch", intent.id, "--interval", "0.2", "--timeout", "30");
    expect(watched.code, watched.err).toBe(0);
    expect(watched.out).toContain("canary: 1 sites");
    const status = await nephoran("intent", "rollout", "status", intent.id);
    expect(status.out).toContain("rollout of revision 1: Completed");
    expect(status.out).toContain("failures 0 of a budget of 0");
    const pause = await nephoran("intent", "rollout", "pause", intent.id);
    expect(pause.code).not.toBe(0);
    expect(pause.err).toContain("pause applies to a rollout Progressing");
    expect((await nephoran("intent", "revisions", intent.id)).out).toMatch(/^r1 .*staged$/m);
    const back = await nephoran("intent", "rollback", intent.id, "--to", "1");
    expect(back.code).not.toBe(0);
    expect(back.err).toContain("roll back to an earlier one");
    expect((await nephoran("intent", "rollback", intent.id)).err).toContain("--to REVISION");
    const refused = await nephoran(
      "intent",
      "create",
      "--canary",
      "ghost",
      "Deploy 1 AMF on all sites in region eu",
    );
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain("ROLLOUT_REFUSED");
    expect(refused.err).toContain("the canary picks no site");
    expect((await nephoran("intent", "delete", intent.id)).code).toBe(0);
  });

  it("refuses a site it does not know, with the one it may mean; a site coming later is accepted and watched", async () => {
    const typo = await nephoran("intent", "create", "Deploy AMF on egde01");
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("UNKNOWN_SITES");
    expect(typo.err).toContain('did you mean "edge01"?');
    const later = await nephoran(
      "intent",
      "create",
      "--json",
      "--allow-unknown-sites",
      "Deploy AMF at lab-7",
    );
    expect(later.code, later.err).toBe(0);
    const id = (JSON.parse(later.out) as { id: string }).id;
    const watched = await nephoran("intent", "watch", id, "--interval", "0.1", "--timeout", "0.5");
    expect(watched.code).toBe(1);
    expect(watched.err).toContain(`no site is targeted by ${id}`);
    expect(watched.err).toContain("has not settled on every targeted site after 0.5 s");
    expect((await nephoran("intent", "delete", id)).code).toBe(0);
  });

  it("plans at the hub with the hub's site names: a site called lab is a site there, a word offline", async () => {
    expect((await nephoran("site", "token", "lab")).code).toBe(0);
    const atHub = await nephoran("plan", "--hub", url, "--json", "scale UPF to 3 at lab");
    expect(atHub.code, atHub.err).toBe(0);
    expect(JSON.parse(atHub.out)).toMatchObject({ sites: { names: ["lab"] } });
    const offline = await nephoran("plan", "--json", "scale UPF to 3 at lab");
    expect(JSON.parse(offline.out)).not.toHaveProperty("sites");
    const refused = await nephoran("plan", "--hub", url, "depoly AMF");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('did you mean "deploy"?');
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
    // A port nothing listens on (not port 9: fetch refuses that one itself, as a "bad port").
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const gone = await run(process.execPath, [
      CLI,
      "intent",
      "list",
      "--hub",
      nowhere,
      "--token",
      ADMIN,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((gone as { code: number }).code).toBe(1);
    expect((gone as { stderr: string }).stderr).toContain(
      `cannot reach the hub at ${nowhere}: connection refused`,
    );
  });
});
