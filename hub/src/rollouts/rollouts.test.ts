/**
 * Staged rollouts through the API on a real (SQLite) store, the controller turned by hand on a fake clock:
 * stages in order, the canary's failure rolls back before any wave, budgets, deadlines, pause and resume.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { SiteIntentReport } from "@nephoran/shared";
import type { TestHub } from "../api/testing";
import { testHub } from "../api/testing";
import { RolloutController } from "./controller";

let t: TestHub;
let controller: RolloutController;
let seq = 0;
const SITES = Array.from({ length: 10 }, (_, i) => `edge-${String(i).padStart(2, "0")}`);
const plan = (replicas: number) => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas }],
});

beforeEach(async () => {
  t = await testHub();
  for (const s of SITES) await t.enroll(s, { region: s < "edge-05" ? "eu" : "us" });
  await heard(SITES);
  controller = new RolloutController(t.hub.deps);
});
afterEach(async () => t.hub.stop());

async function heard(sites: readonly string[]) {
  const at = t.now.toISOString();
  await t.hub.deps.store.reports.record({ seen: sites.map((site) => ({ site, at })), acks: [], reports: [] });
}

async function report(
  id: string,
  revision: number,
  phase: SiteIntentReport["phase"],
  sites: readonly string[],
  message?: string,
) {
  const at = t.now.toISOString();
  await t.hub.deps.store.reports.put(
    sites.map((siteId) => ({
      siteId,
      intentId: id,
      revision,
      phase,
      conditions: [
        {
          type: "Ready",
          status: phase === "Ready" ? "True" : "False",
          lastTransitionTime: at,
          ...(message ? { message } : {}),
        },
      ],
      nfStatus: [],
      observedAt: at,
      reportSeq: ++seq,
    })),
  );
}

/** What each site should hold of the intent: its revision, or undefined. */
async function held(id: string): Promise<(number | undefined)[]> {
  const out: (number | undefined)[] = [];
  for (const s of SITES) out.push((await t.hub.deps.store.desired.set(s)).find((x) => x.id === id)?.revision);
  return out;
}

async function create(rollout: unknown): Promise<string> {
  const r = await t.call("POST", "/v1/intents", {
    body: { plan: plan(1), siteSelector: { all: true }, rollout },
  });
  expect(r.status, r.text).toBe(201);
  return r.json["id"] as string;
}

async function rollout(id: string) {
  const r = await t.call("GET", `/v1/intents/${id}/rollout`);
  expect(r.status, r.text).toBe(200);
  return r.json as {
    state: string;
    stage: number;
    reason: string | null;
    stages: { name: string; sites: number; status: string; counts: Record<string, number> }[];
    failures: { site: string; why: string }[];
  };
}

describe("staged rollouts", () => {
  test("a canary, then waves, each when its sites are Ready; the rest keep what they held", async () => {
    const id = await create({ canary: 1, waves: ["50%"] });
    expect(await held(id)).toEqual([1, ...Array(9).fill(undefined)]);
    const r0 = await rollout(id);
    expect(r0).toMatchObject({ state: "Progressing", stage: 0 });
    expect(r0.stages.map((s) => [s.name, s.sites, s.status])).toEqual([
      ["canary", 1, "Current"],
      ["wave 1", 5, "Waiting"],
      ["wave 2", 4, "Waiting"],
    ]);
    await controller.tick();
    expect((await rollout(id)).stage).toBe(0); // nothing reported yet
    await report(id, 1, "Ready", ["edge-00"]);
    await controller.tick();
    expect(await held(id)).toEqual([1, 1, 1, 1, 1, 1, undefined, undefined, undefined, undefined]);
    await report(id, 1, "Ready", SITES.slice(1, 5));
    await controller.tick();
    expect((await rollout(id)).stage).toBe(1); // edge-05 has not reported
    await report(id, 1, "Ready", ["edge-05"]);
    await controller.tick();
    expect(await held(id)).toEqual(Array(10).fill(1));
    await report(id, 1, "Ready", SITES.slice(6));
    await controller.tick();
    const done = await rollout(id);
    expect(done.state).toBe("Completed");
    expect(done.stages.map((s) => s.status)).toEqual(["Passed", "Passed", "Passed"]);

    // A change: only the canary gets revision 2; it fails there, and it goes back before any wave.
    const intent = await t.call("GET", `/v1/intents/${id}`);
    const patched = await t.call("PATCH", `/v1/intents/${id}`, {
      body: { plan: plan(3) },
      headers: { "if-match": intent.headers.get("etag") as string },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(await held(id)).toEqual([2, ...Array(9).fill(1)]);
    await report(id, 2, "Failed", ["edge-00"], "amf-0: admission webhook refused the pod");
    await controller.tick();
    const back = await rollout(id);
    expect(back).toMatchObject({ state: "RolledBack", stage: 0 });
    // Why, as the site said it.
    expect(back.reason).toContain(
      "edge-00 reported Failed at revision 2: amf-0: admission webhook refused the pod",
    );
    // The revision before, made again as revision 3, everywhere; the history is kept.
    expect(await held(id)).toEqual(Array(10).fill(3));
    const revs = await t.call("GET", `/v1/intents/${id}/revisions`);
    const items = revs.json["items"] as { revision: number; plan: { actions: { replicas: number }[] } }[];
    expect(items.map((i) => [i.revision, i.plan.actions[0]?.replicas])).toEqual([
      [1, 1],
      [2, 3],
      [3, 1],
    ]);
  });

  test("a strategy the sites cannot meet is refused with the reason", async () => {
    for (const [rollout, says] of [
      [{ canary: { names: ["edge-99"] } }, "the canary picks no site"],
      [{ canary: "50%", waves: ["60%"] }, "110% of the sites, over 100%"],
      [{ canary: 10, waves: [1] }, "wave 1 (1) has no site left"],
    ] as const) {
      const r = await t.call("POST", "/v1/intents", {
        body: { plan: plan(1), siteSelector: { all: true }, rollout, allowUnknownSites: true },
      });
      expect(r.status, r.text).toBe(422);
      expect(r.json.error?.code).toBe("ROLLOUT_REFUSED");
      expect(r.json.error?.message).toContain(says);
    }
    const bad = await t.call("POST", "/v1/intents", {
      body: { plan: plan(1), siteSelector: { all: true }, rollout: { waves: ["0%"] } },
    });
    expect(bad.status).toBe(400);
  });

  test("the failure budget, a deadline, an offline site, and a manual pause, resume and abort", async () => {
    // edge-03 is offline (not heard from for ten minutes) when its wave starts; edge-04 never answers.
    t.now = new Date(t.now.getTime() + 10 * 60_000);
    const others = SITES.filter((s) => s !== "edge-03");
    await heard(others);
    const id = await create({
      canary: { matchLabels: { region: "eu" } },
      maxFailures: 1,
      siteDeadlineSeconds: 120,
      approval: "manual",
    });
    await report(id, 1, "Ready", ["edge-00", "edge-01", "edge-02"]);
    await controller.tick();
    expect(await rollout(id)).toMatchObject({ state: "Progressing", stage: 0, failures: [] });
    // A presence timeout (90 s) into the stage, edge-03 has still not been heard from: unavailable.
    t.now = new Date(t.now.getTime() + 91_000);
    await heard(others);
    await controller.tick();
    const away = await rollout(id);
    expect(away).toMatchObject({ state: "Progressing", stage: 0 });
    expect(away.failures).toEqual([
      { site: "edge-03", why: "offline for 91 s into its stage", unavailable: true },
    ]);
    // edge-04, heard from but silent about the intent, misses its deadline (120 s): over the budget of 1.
    t.now = new Date(t.now.getTime() + 30_000);
    await heard(others);
    await controller.tick();
    const paused = await rollout(id);
    expect(paused.state).toBe("Paused");
    expect(paused.failures.at(-1)).toEqual({ site: "edge-04", why: "not Ready at revision 1 within 120 s" });
    expect(paused.stages[0]?.counts).toMatchObject({ Ready: 3, Failed: 1, Unavailable: 1 });
    expect(paused.reason).toContain("2 sites failed or were unavailable, over the budget of 1");
    // A person looks, and lets it go on past these two.
    expect((await t.call("POST", `/v1/intents/${id}/rollout/pause`)).status).toBe(409);
    const resumed = await t.call("POST", `/v1/intents/${id}/rollout/resume`, { as: "operator" });
    expect(resumed.status, resumed.text).toBe(200);
    await controller.tick();
    expect(await rollout(id)).toMatchObject({ state: "Progressing", stage: 1 });
    expect(await held(id)).toEqual(Array(10).fill(1));
    // Then aborts it: every touched site lets the new intent go.
    expect((await t.call("POST", `/v1/intents/${id}/rollout/abort`, { as: "viewer" })).status).toBe(403);
    const aborted = await t.call("POST", `/v1/intents/${id}/rollout/abort`);
    expect(aborted.json).toMatchObject({ state: "RolledBack", reason: "aborted by bootstrap-admin" });
    expect(await held(id)).toEqual(Array(10).fill(undefined));
    expect((await t.call("POST", `/v1/intents/${id}/rollout/resume`)).status).toBe(409);
  });

  test("a rollback to an earlier revision: a new revision, every site at once, a rollout under way superseded", async () => {
    const id = await create({ canary: 1 });
    await report(id, 1, "Ready", ["edge-00"]);
    await controller.tick();
    const etag = (await t.call("GET", `/v1/intents/${id}`)).headers.get("etag") as string;
    const patched = await t.call("PATCH", `/v1/intents/${id}`, {
      body: { plan: plan(2) },
      headers: { "if-match": etag },
    });
    expect(patched.status, patched.text).toBe(200);
    expect((await t.call("POST", `/v1/intents/${id}/rollback`, { body: { toRevision: 2 } })).status).toBe(
      409,
    );
    const none = await t.call("POST", `/v1/intents/${id}/rollback`, {
      body: { toRevision: 1 },
      as: "viewer",
    });
    expect(none.status).toBe(403);
    const back = await t.call("POST", `/v1/intents/${id}/rollback`, {
      body: { toRevision: 1 },
      as: "operator",
    });
    expect(back.status, back.text).toBe(200);
    expect(back.json).toMatchObject({
      revision: 3,
      plan: { actions: [{ replicas: 1 }] },
      rollout: { canary: 1 },
    });
    expect(back.headers.get("etag")).toBe('"3"');
    expect(await held(id)).toEqual(Array(10).fill(3));
    expect(await rollout(id)).toMatchObject({
      state: "Superseded",
      reason: "rolled back to revision 1 by operator",
    });
    const audit = await t.call("GET", "/v1/audit?limit=100");
    expect(JSON.stringify(audit.json)).toContain('"action":"intent.rollback"');
  });

  test("a rollout said in the text is the intent's; one given beside it wins", async () => {
    const said = await t.call("POST", "/v1/intents", {
      body: { text: "Deploy 1 AMF at all sites, canary on 10% of sites, then one region at a time" },
    });
    expect(said.status, said.text).toBe(201);
    expect(said.json["rollout"]).toEqual({ canary: "10%", by: "region" });
    const r = await rollout(said.json["id"] as string);
    expect(r.stages.map((s) => [s.name, s.sites])).toEqual([
      ["canary", 1],
      ["wave 1", 4],
      ["wave 2", 5],
    ]);
    const given = await t.call("POST", "/v1/intents", {
      body: { text: "Deploy 1 SMF at all sites, canary on 10% of sites", rollout: { canary: 2 } },
    });
    expect(given.json["rollout"]).toEqual({ canary: 2 });
  });

  test("a change during a rollout supersedes it: its stages start over, and a rollback goes to the revision before", async () => {
    const id = await create({ canary: 1, waves: ["50%"] });
    await report(id, 1, "Ready", ["edge-00"]);
    await controller.tick();
    await report(id, 1, "Ready", SITES.slice(1, 6));
    await controller.tick();
    await report(id, 1, "Ready", SITES.slice(6));
    await controller.tick();
    expect((await rollout(id)).state).toBe("Completed");
    // Revision 2 reaches its canary and its first wave; revision 3 cuts it short.
    const change = async (replicas: number) => {
      const etag = (await t.call("GET", `/v1/intents/${id}`)).headers.get("etag") as string;
      const r = await t.call("PATCH", `/v1/intents/${id}`, {
        body: { plan: plan(replicas) },
        headers: { "if-match": etag },
      });
      expect(r.status, r.text).toBe(200);
    };
    await change(2);
    await report(id, 2, "Ready", ["edge-00"]);
    await controller.tick();
    expect(await held(id)).toEqual([2, 2, 2, 2, 2, 2, 1, 1, 1, 1]);
    await change(3);
    const cut = await t.call("GET", `/v1/intents/${id}/rollout`);
    expect(cut.json).toMatchObject({ state: "Progressing", stage: 0 });
    expect(await held(id)).toEqual([3, 2, 2, 2, 2, 2, 1, 1, 1, 1]);
    // Revision 3 fails on its canary: every site goes back to revision 1's spec (2 never passed), as revision 4.
    await report(id, 3, "Failed", ["edge-00"]);
    await controller.tick();
    expect(await rollout(id)).toMatchObject({ state: "RolledBack" });
    expect(await held(id)).toEqual(Array(10).fill(4));
    const revs = (await t.call("GET", `/v1/intents/${id}/revisions`)).json["items"] as {
      revision: number;
      plan: { actions: { replicas: number }[] };
    }[];
    expect(revs.at(-1)).toMatchObject({ revision: 4, plan: { actions: [{ replicas: 1 }] } });
  });

  test("a hub that has just started does not take sites it has not heard from yet for gone", async () => {
    const id = await create({ canary: 1, siteDeadlineSeconds: 3600 });
    // Ten minutes later, a new hub (controller) starts: nobody has been heard from since before.
    t.now = new Date(t.now.getTime() + 10 * 60_000);
    const restarted = new RolloutController(t.hub.deps);
    await restarted.tick();
    expect((await rollout(id)).failures).toEqual([]);
    // The canary is heard from and reports; the rest of the fleet goes on.
    await heard(["edge-00"]);
    await report(id, 1, "Ready", ["edge-00"]);
    await restarted.tick();
    expect(await rollout(id)).toMatchObject({ state: "Progressing", stage: 1, failures: [] });
    // Still silent a presence timeout after this hub started: unavailable, over the budget of 0: rolled back.
    t.now = new Date(t.now.getTime() + 91_000);
    await restarted.tick();
    expect(await rollout(id)).toMatchObject({ state: "RolledBack" });
  });
});
