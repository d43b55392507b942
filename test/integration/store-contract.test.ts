/**
 * The hub store's contract, one suite run unchanged against SQLite and PostgreSQL: every aggregate's
 * behaviour, transactions, and — with a second store on the same data, as a second hub replica holds —
 * the races a shared database must win: one If-Match change, one enrollment per token, no lost version.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IntentPlan, SiteIntentReport, SiteSelector } from "@nephoran/shared";
import { PHASE_SEVERITY, selects } from "@nephoran/shared";
import type { HubStore, NewIntent } from "@nephoran/hub";
import { HubStoreError } from "@nephoran/hub";
import { storeEngines } from "../harness/stores";

const plan: IntentPlan = {
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas: 1 }],
  priority: "medium",
  source: "rules",
  confidence: 1,
};
const FUTURE = "2999-01-01T00:00:00Z";

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(HubStoreError);
  await expect(p).rejects.toMatchObject({ code });
}

async function enrollSite(store: HubStore, site: string, labels: Record<string, string> = {}): Promise<void> {
  await store.enrollment.issue({
    id: `enr-${site}`,
    hash: `tok-${site}`,
    site,
    labels,
    expiresAt: FUTURE,
    createdBy: "t",
  });
  await store.enrollment.enroll(`tok-${site}`, new Date().toISOString(), `cred-${site}`, "0.1.0");
}

const intentOf = (id: string, siteSelector: SiteSelector): NewIntent => ({
  id,
  name: id,
  plan,
  siteSelector,
  priority: "medium",
  createdBy: "t",
});

async function newIntent(store: HubStore, id: string, siteSelector: SiteSelector) {
  return store.transaction(async (tx) => {
    const intent = await tx.intents.create(intentOf(id, siteSelector));
    return { intent, changes: await tx.desired.retargetIntent(id, 1, siteSelector) };
  });
}

const report = (
  siteId: string,
  intentId: string,
  seq: number,
  phase: SiteIntentReport["phase"] = "Ready",
): SiteIntentReport => ({
  siteId,
  intentId,
  revision: 1,
  phase,
  conditions: [
    {
      type: "Ready",
      status: phase === "Ready" ? "True" : "False",
      message: `is ${phase}`,
      lastTransitionTime: FUTURE,
    },
  ],
  nfStatus: [],
  observedAt: new Date().toISOString(),
  reportSeq: seq,
});

const engines = storeEngines();
afterAll(async () => {
  for (const e of engines) await e.close();
});

describe.each(engines)("hub store on $name", (engine) => {
  let store: HubStore;
  const others: HubStore[] = [];
  beforeEach(async () => {
    if (engine.missing) return;
    store = await engine.fresh();
  });
  afterEach(async () => {
    if (engine.missing) return;
    for (const o of others.splice(0)) await o.close();
    await store.close();
  });
  const test = it.skipIf(engine.missing !== undefined);

  test("API tokens: stored by hash, revoked at once, touched at most once a minute", async () => {
    const t = await store.tokens.add({ id: "tok-1", name: "ci", role: "operator", hash: "h1" });
    expect(t).toMatchObject({ id: "tok-1", role: "operator", revokedAt: null, lastUsedAt: null });
    expect((await store.tokens.byHash("h1"))?.id).toBe("tok-1");
    expect(await store.tokens.byHash("nope")).toBeUndefined();
    expect(await store.tokens.countActive()).toBe(1);
    const at = new Date("2026-11-30T10:00:00Z");
    await store.tokens.touch("h1", at);
    await store.tokens.touch("h1", new Date(at.getTime() + 30_000));
    expect((await store.tokens.get("tok-1"))?.lastUsedAt).toBe(at.toISOString());
    expect((await store.tokens.revoke("tok-1")).revokedAt).not.toBeNull();
    expect((await store.tokens.byHash("h1"))?.revokedAt).not.toBeNull();
    expect(await store.tokens.countActive()).toBe(0);
    await rejects(store.tokens.revoke("tok-none"), "NOT_FOUND");
  });

  test("idempotency keys: one claim wins, the answer is kept, old ones purged", async () => {
    expect(await store.idempotency.claim("s", "k", "b1")).toBe(true);
    expect(await store.idempotency.claim("s", "k", "b1")).toBe(false);
    expect(await store.idempotency.get("s", "k")).toMatchObject({ bodyHash: "b1", status: 0 });
    await store.idempotency.complete("s", "k", 201, "{}");
    expect(await store.idempotency.get("s", "k")).toMatchObject({ status: 201, response: "{}" });
    await store.idempotency.release("s", "k");
    expect(await store.idempotency.get("s", "k")).toBeUndefined();
    await store.idempotency.claim("s", "old", "b");
    expect(await store.idempotency.purgeBefore("2999-01-01T00:00:00Z")).toBe(1);
  });

  test("fulfilment reports: one per change of state, numbered, newest first; listeners added and removed", async () => {
    const at = "2026-11-30T10:00:00.000Z";
    const add = (id: string, state: "Fulfilled" | "NotFulfilled") =>
      store.intentReports.addIfChanged({
        intentId: "int-r",
        id,
        state,
        body: { counts: { [state]: 1 } },
        createdAt: at,
      });
    expect(await add("irp-1", "NotFulfilled")).toMatchObject({ seq: 1, state: "NotFulfilled" });
    expect(await add("irp-2", "NotFulfilled")).toBeUndefined();
    expect(await add("irp-3", "Fulfilled")).toMatchObject({ seq: 2 });
    expect((await store.intentReports.list("int-r", { offset: 0, limit: 10 })).map((r) => r.id)).toEqual([
      "irp-3",
      "irp-1",
    ]);
    expect(await store.intentReports.count("int-r")).toBe(2);
    expect((await store.intentReports.get("int-r", "irp-1"))?.body).toEqual({ counts: { NotFulfilled: 1 } });
    expect((await store.intentReports.latest("int-r"))?.id).toBe("irp-3");
    // The list is cached (every event asks for it): a change made here is seen at once all the same.
    expect(await store.listeners.list()).toEqual([]);
    const l = await store.listeners.add({
      id: "hub-1",
      callback: "http://127.0.0.1:9/x",
      query: null,
      secret: "s",
      createdBy: "t",
    });
    expect(await store.listeners.list()).toEqual([l]);
    await store.listeners.remove("hub-1");
    expect(await store.listeners.list()).toEqual([]);
    await rejects(store.listeners.remove("hub-1"), "NOT_FOUND");
  });

  test("intents: a client's expression and description kept, changed and removed; gone once released", async () => {
    const expression = { "@type": "IntentExpression", iri: "urn:x", expressionValue: "Deploy AMF" };
    const made = await store.intents.create({
      id: "int-e",
      name: "e",
      description: "lab",
      expression,
      plan,
      siteSelector: { names: ["edge09"] },
      priority: "low",
      createdBy: "t",
    });
    expect(made).toMatchObject({ expression, description: "lab" });
    expect(await store.intents.get("int-e")).toMatchObject({ expression, description: "lab" });
    const next = { ...expression, expressionValue: "Deploy AMF with 2 replicas" };
    const changed = await store.intents.update("int-e", 1, { expression: next, description: null });
    expect(changed.expression).toEqual(next);
    expect(changed).not.toHaveProperty("description");
    expect((await store.intents.revision("int-e", 1))?.expression).toEqual(expression);
    expect((await store.intents.update("int-e", 2, { priority: "high" })).expression).toEqual(next);
    // No site holds it: nothing to wait for once it is being deleted.
    expect(await store.intents.purgeReleased()).toEqual([]);
    await store.intents.markDeleting("int-e");
    expect(await store.intents.purgeReleased()).toEqual(["int-e"]);
    expect(await store.intents.get("int-e")).toBeUndefined();
    expect(await store.intents.revisions("int-e")).toEqual([]);
  });

  test("intents: several created at once, listed in order as read back; one taken id refuses them all", async () => {
    const many = ["int-m1", "int-m2", "int-m3"].map((id, k) => ({
      id,
      name: id,
      ...(k === 1 ? { text: "Deploy AMF", description: "two" } : {}),
      plan,
      siteSelector: { names: [`edge0${k}`] },
      priority: "high" as const,
      createdBy: "t",
    }));
    const made = await store.intents.createMany(many);
    expect(made.map((i) => i.id)).toEqual(["int-m1", "int-m2", "int-m3"]);
    for (const i of made) {
      expect(await store.intents.get(i.id)).toEqual(i);
      expect(await store.intents.revisions(i.id)).toEqual([i]);
    }
    expect((await store.intents.list({ limit: 10 })).items.map((i) => i.id)).toEqual([
      "int-m1",
      "int-m2",
      "int-m3",
    ]);
    await rejects(
      store.intents.createMany([{ ...many[0], id: "int-m4" } as NewIntent, many[2] as NewIntent]),
      "CONFLICT",
    );
    expect(await store.intents.get("int-m4")).toBeUndefined();
    expect(await store.intents.count()).toBe(3);
  });

  test("intents: revisions under If-Match, deletion, paging and filters", async () => {
    await enrollSite(store, "edge01");
    for (let i = 0; i < 5; i++)
      await newIntent(store, `int-${i}`, i % 2 ? { names: ["edge01"] } : { names: ["elsewhere"] });
    await rejects(
      store.intents.create({
        id: "int-0",
        name: "x",
        plan,
        siteSelector: {},
        priority: "low",
        createdBy: "t",
      }),
      "CONFLICT",
    );
    const changed = await store.intents.update("int-0", 1, { priority: "high", name: "renamed" });
    expect(changed).toMatchObject({ revision: 2, priority: "high", name: "renamed", plan });
    await rejects(store.intents.update("int-0", 1, { priority: "low" }), "STALE_REVISION");
    await rejects(store.intents.update("int-x", 1, { priority: "low" }), "NOT_FOUND");
    expect((await store.intents.markDeleting("int-0")).state).toBe("deleting");
    await rejects(store.intents.markDeleting("int-0"), "CONFLICT");
    await rejects(store.intents.update("int-0", 3, { priority: "low" }), "CONFLICT");
    expect(await store.intents.count()).toBe(5);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.intents.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["int-0", "int-1", "int-2", "int-3", "int-4"]);
    expect((await store.intents.list({ limit: 10, state: "deleting" })).items.map((i) => i.id)).toEqual([
      "int-0",
    ]);
    expect((await store.intents.list({ limit: 10, priority: "high" })).items.map((i) => i.id)).toEqual([
      "int-0",
    ]);
    expect((await store.intents.list({ limit: 10, site: "edge01" })).items.map((i) => i.id)).toEqual([
      "int-1",
      "int-3",
    ]);
    await rejects(store.intents.list({ limit: 10, cursor: "not-a-cursor" }), "INVALID");
  });

  test("enrollment: a token enrolls once, not after it expires; re-enrollment bumps the site's version", async () => {
    const now = "2026-11-30T10:00:00.000Z";
    await store.enrollment.issue({
      id: "e1",
      hash: "t1",
      site: "edge01",
      labels: { region: "eu" },
      expiresAt: FUTURE,
      createdBy: "t",
    });
    await store.enrollment.issue({
      id: "e2",
      hash: "t2",
      site: "edge02",
      labels: {},
      expiresAt: "2026-11-30T09:00:00Z",
      createdBy: "t",
    });
    expect(await store.enrollment.pending(now)).toEqual([{ site: "edge01", labels: { region: "eu" } }]);
    const site = await store.enrollment.enroll("t1", now, "c1", "0.1.0");
    expect(site).toMatchObject({
      id: "edge01",
      labels: { region: "eu" },
      desiredVersion: 1,
      agentVersion: "0.1.0",
    });
    await rejects(store.enrollment.enroll("t1", now, "c1b", null), "CONFLICT");
    await rejects(store.enrollment.enroll("t2", now, "c2", null), "CONFLICT");
    await rejects(store.enrollment.enroll("t9", now, "c9", null), "NOT_FOUND");
    expect(await store.enrollment.pending(now)).toEqual([]);
    expect((await store.sites.byCredential("c1"))?.id).toBe("edge01");
    await store.enrollment.issue({
      id: "e3",
      hash: "t3",
      site: "edge01",
      labels: { region: "us" },
      expiresAt: FUTURE,
      createdBy: "t",
    });
    const again = await store.enrollment.enroll("t3", now, "c3", "0.2.0");
    expect(again).toMatchObject({ desiredVersion: 2, labels: { region: "us" }, agentVersion: "0.2.0" });
    expect(await store.sites.byCredential("c1")).toBeUndefined();
  });

  test("sites: filtered pages stay full, labels and the directory follow changes, deletion takes reports along", async () => {
    for (let i = 0; i < 12; i++)
      await enrollSite(store, `edge${String(i).padStart(2, "0")}`, { tier: i % 3 ? "silver" : "gold" });
    const gold: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.sites.list({
        limit: 2,
        ...(cursor ? { cursor } : {}),
        where: (s) => s.labels["tier"] === "gold",
      });
      if (page.nextCursor) expect(page.items).toHaveLength(2);
      gold.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(gold).toEqual(["edge00", "edge03", "edge06", "edge09"]);
    expect((await store.sites.directory()).labelKeys.get("gold")).toEqual(new Set(["tier"]));
    await store.sites.setLabels("edge00", { city: "berlin" });
    expect((await store.sites.directory()).labelKeys.get("berlin")).toEqual(new Set(["city"]));
    await rejects(store.sites.setLabels("nowhere", {}), "NOT_FOUND");
    expect((await store.sites.requestResync("edge01", FUTURE)).resyncRequestedAt).toBe(FUTURE);
    await store.sites.setBrokerSecrets("edge01", { natsNkey: "UABC", mqttHash: "" });
    expect((await store.sites.brokerSecrets()).find((s) => s.site === "edge01")).toEqual({
      site: "edge01",
      natsNkey: "UABC",
      mqttHash: "",
    });
    await newIntent(store, "int-1", { all: true });
    await store.reports.put([report("edge01", "int-1", 1)]);
    await store.sites.delete("edge01");
    expect(await store.sites.get("edge01")).toBeUndefined();
    expect(await store.reports.forIntent("int-1")).toHaveLength(0);
    expect(await targeted(store, "int-1")).not.toContain("edge01");
    await rejects(store.sites.delete("edge01"), "NOT_FOUND");
    expect(await store.sites.all()).toHaveLength(11);
    // Many at once: what one read at a time gives, an unknown or deleted name absent, duplicates once.
    const many = await store.sites.getMany(["edge03", "edge01", "nowhere", "edge00", "edge03"]);
    expect([...many.keys()].sort()).toEqual(["edge00", "edge03"]);
    expect(many.get("edge00")).toEqual(await store.sites.get("edge00"));
    expect(many.get("edge03")).toEqual(await store.sites.get("edge03"));
    expect((await store.sites.getMany([])).size).toBe(0);
  });

  test("targeting: the SQL selector picks what selects() picks, on random fleets and selectors", async () => {
    const r = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    for (let i = 0; i < 40; i++) {
      const labels: Record<string, string> = {};
      if (r() < 0.8) labels["region"] = pick(["eu", "us", "ap"]);
      if (r() < 0.5) labels["tier"] = pick(["gold", "silver"]);
      if (r() < 0.2) labels["odd key"] = 'va"lue';
      await enrollSite(store, `s${i}`, labels);
    }
    const sites = await store.sites.all();
    for (let k = 0; k < 120; k++) {
      const sel: SiteSelector = {};
      if (r() < 0.1) sel.all = true;
      if (r() < 0.5) sel.names = [pick(sites).id, ...(r() < 0.3 ? ["nowhere"] : [])];
      if (r() < 0.6) {
        sel.matchLabels = {};
        if (r() < 0.7) sel.matchLabels["region"] = pick(["eu", "us", "ap"]);
        if (r() < 0.4) sel.matchLabels["tier"] = pick(["gold", "silver"]);
        if (r() < 0.1) sel.matchLabels["odd key"] = 'va"lue';
      }
      await newIntent(store, `int-${k}`, sel);
      const bySql = await targeted(store, `int-${k}`);
      expect(bySql, JSON.stringify(sel)).toEqual(
        sites
          .filter((s) => selects(sel, s))
          .map((s) => s.id)
          .sort(),
      );
    }
    // Several intents created together (group commit): each reaches what its selector picks, and a site
    // several of them reach goes up one version for all of them.
    const versions = new Map((await store.sites.all()).map((s) => [s.id, s.desiredVersion]));
    const group = Array.from({ length: 12 }, (_, k): [string, SiteSelector] => [
      `grp-${k}`,
      k % 4 === 0
        ? { matchLabels: { region: pick(["eu", "us", "ap"]) } }
        : k % 4 === 1
          ? { names: [pick(sites).id, pick(sites).id] }
          : k % 4 === 2
            ? { matchLabels: { tier: pick(["gold", "silver"]) }, names: [pick(sites).id] }
            : { names: ["nowhere"] },
    ]);
    const changes = await store.transaction(async (tx) => {
      await tx.intents.createMany(group.map(([id, siteSelector]) => intentOf(id, siteSelector)));
      return tx.desired.retargetIntents(
        group.map(([intentId, selector]) => ({ intentId, revision: 1, selector })),
      );
    });
    for (const [id, sel] of group) {
      const want = sites
        .filter((s) => selects(sel, s))
        .map((s) => s.id)
        .sort();
      expect(await targeted(store, id), JSON.stringify(sel)).toEqual(want);
      expect(
        changes
          .filter((c) => c.intentId === id)
          .map((c) => c.site)
          .sort(),
      ).toEqual(want);
    }
    for (const c of changes)
      expect(c, c.site).toMatchObject({
        version: (versions.get(c.site) as number) + 1,
        base: versions.get(c.site),
      });
    for (const s of await store.sites.all())
      expect(s.desiredVersion, s.id).toBe(
        (versions.get(s.id) as number) + (changes.some((c) => c.site === s.id) ? 1 : 0),
      );
  });

  test("desired state: versions per site, tombstones when a site leaves an intent's reach, snapshots since a version", async () => {
    await enrollSite(store, "a", { region: "eu" });
    await enrollSite(store, "b", { region: "us" });
    const { changes } = await newIntent(store, "int-1", { matchLabels: { region: "eu" } });
    expect(changes).toEqual([
      { site: "a", version: 2, base: 1, intentId: "int-1", revision: 1, deleted: false },
    ]);
    await store.intents.update("int-1", 1, { siteSelector: { matchLabels: { region: "us" } } });
    const moved = await store.desired.retargetIntent("int-1", 2, { matchLabels: { region: "us" } });
    expect(moved.map((c) => [c.site, c.revision, c.deleted]).sort()).toEqual([
      ["a", 1, true],
      ["b", 2, false],
    ]);
    expect(await store.desired.set("a")).toEqual([]);
    expect(await store.desired.since("a", 0)).toEqual({ version: 3, changes: [] });
    expect(await store.desired.since("a", 2)).toEqual({
      version: 3,
      changes: [{ intentId: "int-1", revision: 1, deleted: true }],
    });
    // A site relabelled into reach gets every active intent at once, as one version.
    await store.sites.setLabels("a", { region: "us" });
    const back = await store.desired.retargetSite("a");
    expect(back).toEqual([
      { site: "a", version: 4, base: 3, intentId: "int-1", revision: 2, deleted: false },
    ]);
    expect(await store.desired.retargetSite("a")).toEqual([]);
    expect(await store.desired.set("a")).toEqual([{ id: "int-1", revision: 2 }]);
    await rejects(store.desired.since("nowhere", 0), "NOT_FOUND");
  });

  test("reports: only newer ones count; a batch records presence, acks and reports and purges what every site let go; who lags", async () => {
    await enrollSite(store, "a");
    await enrollSite(store, "b");
    await newIntent(store, "int-1", { all: true });
    expect(
      await store.reports.put([
        report("a", "int-1", 5, "Failed"),
        report("a", "int-1", 4),
        report("b", "int-1", 1, "Applied"),
      ]),
    ).toBe(2);
    expect(await store.reports.put([report("a", "int-1", 5)])).toBe(0);
    expect((await store.reports.forSite("a"))[0]).toMatchObject({ phase: "Failed", reportSeq: 5 });
    expect(await store.reports.messages("int-1", ["a", "b", "c"])).toEqual(
      new Map([
        ["a", "is Failed"],
        ["b", "is Applied"],
      ]),
    );
    const unobservable = {
      ...report("b", "int-1", 2, "Applied"),
      conditions: [{ type: "Ready", status: "Unknown" as const, lastTransitionTime: FUTURE }],
    };
    await store.reports.put([unobservable]);
    expect(
      await store.reports.rollup({
        intentId: "int-1",
        revision: 1,
        removing: false,
        onlineSince: "2000-01-01T00:00:00Z",
        cap: 10,
      }),
    ).toEqual({
      counts: { Failed: 1, Applied: 1 },
      settled: 1,
      notReady: [
        { siteId: "a", phase: "Failed", lastSeen: expect.any(String), reportedRevision: 1 },
        { siteId: "b", phase: "Applied", lastSeen: expect.any(String), reportedRevision: 1 },
      ],
    });

    await store.transaction(async (tx) => {
      await tx.intents.markDeleting("int-1");
      await tx.desired.retargetIntent("int-1", null, null);
    });
    const at = "2026-11-30T11:00:00.000Z";
    const fresh = await store.reports.record({
      seen: [{ site: "a", at, agentVersion: "0.3.0" }],
      gone: [{ site: "b", at }],
      acks: [{ site: "a", version: 3 }],
      reports: [report("a", "local-0123abcd", 1)],
    });
    expect(fresh).toBe(1);
    expect(await store.sites.get("a")).toMatchObject({
      lastSeen: expect.any(String),
      agentVersion: "0.3.0",
      reportedVersion: 3,
    });
    expect((await store.sites.get("b"))?.goneAt).toBe(at);
    // Who is behind, as the metrics list them: b never acknowledged what it should hold; a did.
    const b = await store.sites.get("b");
    expect(b && b.desiredVersion > b.reportedVersion).toBe(true);
    expect(await store.sites.lagging()).toEqual([
      { id: "b", lag: (b?.desiredVersion ?? 0) - (b?.reportedVersion ?? 0) },
    ]);
    // A batch says who was heard from: a report in it is no sign of life of its own (it may predate a goodbye).
    const heard = (await store.sites.get("b"))?.lastSeen;
    expect(
      await store.reports.record({ seen: [], acks: [], reports: [report("b", "local-0123abcd", 1)] }),
    ).toBe(1);
    expect(await store.sites.get("b")).toMatchObject({ lastSeen: heard, goneAt: at });
    expect(await store.intents.get("int-1")).toBeDefined(); // b has not let it go yet
    await store.reports.record({
      seen: [],
      acks: [
        { site: "b", version: 3 },
        { site: "a", version: 1 },
      ],
      reports: [],
    });
    expect(await store.intents.get("int-1")).toBeUndefined();
    expect((await store.sites.get("a"))?.reportedVersion).toBe(3); // acks never go back
    expect((await store.reports.forSite("a")).map((r) => r.intentId)).toEqual(["local-0123abcd"]);
    // A late report on the purged intent is dropped, not kept as anything else.
    expect(await store.reports.record({ seen: [], acks: [], reports: [report("a", "int-1", 9)] })).toBe(0);
    await expect(store.reports.put([{ ...report("a", "x", 1), phase: "Bogus" as never }])).rejects.toThrow();
  });

  test("rollup and presence: counted in SQL as the product defines phases and presence, on random fleets", async () => {
    const r = rng(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const now = Date.parse("2026-11-30T12:00:00.000Z");
    const timeout = 90_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const names = Array.from({ length: 60 }, (_, i) => `${pick(["edge", "edge-", "e-", "core"])}${i}`);
    for (const n of names) await enrollSite(store, n);
    await newIntent(store, "int-1", { all: true });
    await store.intents.update("int-1", 1, { priority: "high" });
    const phases = ["Pending", "Planned", "Applying", "Applied", "Ready", "Degraded", "Failed"] as const;
    const model = new Map<
      string,
      { lastSeen: number | null; gone: number | null; rev: number | null; phase: string; unknown: boolean }
    >();
    for (const [i, n] of names.entries()) {
      const hasReport = r() < 0.85;
      const phase = pick(phases);
      const unknown = phase === "Applied" && r() < 0.5;
      const rev = hasReport ? pick([1, 2, 2, 2]) : null;
      if (hasReport)
        await store.reports.put([
          {
            ...report(n, "int-1", i + 1, phase),
            revision: rev as number,
            conditions: [
              {
                type: "Ready",
                status: unknown ? "Unknown" : phase === "Ready" ? "True" : "False",
                lastTransitionTime: FUTURE,
              },
            ],
          },
        ]);
      // The edges first: heard from exactly at the cutoff, gone at the very moment last heard, gone just before.
      const lastSeen =
        [now - timeout, now - 1000, now - 1000][i] ??
        (r() < 0.1 ? null : now - Math.floor(r() * 2 * timeout));
      const gone =
        [null, now - 1000, now - 1001][i] ??
        (lastSeen !== null && r() < 0.2 ? lastSeen + pick([-1000, 0, 1000]) : null);
      if (lastSeen !== null)
        await store.reports.record({ seen: [{ site: n, at: iso(lastSeen) }], acks: [], reports: [] });
      if (gone !== null)
        await store.reports.record({ seen: [], gone: [{ site: n, at: iso(gone) }], acks: [], reports: [] });
      // A site never heard from keeps the last_seen its report gave it: model what the store holds.
      const held = await store.sites.get(n);
      model.set(n, {
        lastSeen: held?.lastSeen ? Date.parse(held.lastSeen) : null,
        gone,
        rev,
        phase,
        unknown,
      });
    }
    // The oracle: the product's definitions, in TypeScript.
    const want = [...model].map(([siteId, m]) => {
      const online =
        m.lastSeen !== null && now - m.lastSeen <= timeout && (m.gone === null || m.gone < m.lastSeen);
      const phase = !online ? "Offline" : m.rev === null || m.rev < 2 ? "Pending" : m.phase;
      return {
        siteId,
        phase,
        settled: phase === "Ready" || (phase === "Applied" && m.unknown),
        lastSeen: m.lastSeen,
        rev: m.rev,
      };
    });
    const counts: Record<string, number> = {};
    for (const w of want) counts[w.phase] = (counts[w.phase] ?? 0) + 1;
    const order = PHASE_SEVERITY as readonly string[];
    const worst = want
      .filter((w) => w.phase !== "Ready")
      .sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase) || (a.siteId < b.siteId ? -1 : 1))
      .map((w) => ({
        siteId: w.siteId,
        phase: w.phase,
        lastSeen: w.lastSeen === null ? null : iso(w.lastSeen),
        reportedRevision: w.rev,
      }));
    // Each site's presence, as the presence watch and the metrics read it.
    expect(await store.sites.presence(iso(now - timeout))).toEqual(
      new Map(want.map((w) => [w.siteId, w.phase !== "Offline"])),
    );
    // Across the fleet: the intent's worst phase, as its rollup would give it.
    const worstPhase = PHASE_SEVERITY.find((p) => counts[p]);
    expect((await store.reports.worstPhases(iso(now - timeout))).get("int-1")).toBe(worstPhase);
    // Caps small enough that sites offline (listed as such) and sites worse by their reports compete; the
    // counts the same from the tally as each write left it and once the upkeep folded it.
    for (const fold of [false, true]) {
      if (fold) await store.reports.fold();
      for (const cap of [10, 3, 0])
        expect(
          await store.reports.rollup({
            intentId: "int-1",
            revision: 2,
            removing: false,
            onlineSince: iso(now - timeout),
            cap,
          }),
        ).toEqual({
          counts,
          settled: want.filter((w) => w.settled).length,
          notReady: worst.slice(0, cap + 1),
        });
    }
  });

  test("revisions: each one kept as made; an intent from before keeps its current one", async () => {
    await enrollSite(store, "a");
    await newIntent(store, "int-1", { all: true });
    await store.intents.update("int-1", 1, { priority: "high", rollout: { canary: 1 } });
    await store.intents.update("int-1", 2, { rollout: null });
    expect((await store.intents.revisions("int-1")).map((i) => [i.revision, i.priority, i.rollout])).toEqual([
      [1, "medium", undefined],
      [2, "high", { canary: 1 }],
      [3, "high", undefined],
    ]);
    expect((await store.intents.revision("int-1", 2))?.rollout).toEqual({ canary: 1 });
    expect(await store.intents.revision("int-1", 4)).toBeUndefined();
    expect(await store.intents.revisions("nope")).toEqual([]);
  });

  test("desired: assigned site by site (a tombstone for null), each changed site one version up", async () => {
    for (const s of ["c", "a", "b"]) await enrollSite(store, s, { region: s === "b" ? "us" : "eu" });
    expect((await store.desired.targets({ matchLabels: { region: "eu" } })).map((t) => t.id)).toEqual([
      "a",
      "c",
    ]);
    await newIntent(store, "int-1", { names: ["a"] });
    const before = await store.sites.get("b");
    const changes = await store.desired.assign(
      "int-1",
      new Map<string, number | null>([
        ["a", null],
        ["b", 1],
        ["c", null],
      ]),
    );
    expect(changes.map((c) => [c.site, c.revision, c.deleted])).toEqual([
      ["a", 1, true],
      ["b", 1, false],
    ]);
    expect((await store.sites.get("b"))?.desiredVersion).toBe((before?.desiredVersion ?? 0) + 1);
    expect(await store.desired.set("a")).toEqual([]);
    expect(await store.desired.set("b")).toEqual([{ id: "int-1", revision: 1 }]);
    expect(await store.desired.assign("int-1", new Map([["b", 1]]))).toEqual([]);
  });

  test("rollouts: written whole, the newest read back; a site enrolled mid-rollout waits for its stage", async () => {
    for (const s of ["a", "b"]) await enrollSite(store, s);
    await newIntent(store, "int-1", { all: true });
    await store.intents.update("int-1", 1, { priority: "high" });
    const at = "2026-11-30T10:00:00.000Z";
    const r = {
      intentId: "int-1",
      revision: 2,
      fromRevision: 1,
      strategy: { canary: 1, maxFailures: "10%" },
      stages: [["a"], ["b", "c"]],
      stage: 0,
      state: "Progressing",
      reason: null,
      failures: [{ site: "b", why: "offline when its stage started" }],
      startedAt: at,
      stageStartedAt: at,
      readySince: null,
      updatedAt: at,
    } as const;
    await store.rollouts.put(r);
    await store.desired.assign("int-1", new Map([["a", 2]]));
    expect(await store.rollouts.latest("int-1")).toEqual(r);
    expect(await store.rollouts.unfinished()).toEqual([r]);
    await store.reports.put([{ ...report("a", "int-1", 1, "Ready"), revision: 2 }]);
    expect(await store.rollouts.sites("int-1", ["b", "a", "nope"])).toEqual([
      {
        site: "a",
        revision: 2,
        reportRevision: 2,
        reportPhase: "Ready",
        reportUnknown: false,
        lastSeen: expect.any(String),
        goneAt: null,
      },
      {
        site: "b",
        revision: 1,
        reportRevision: null,
        reportPhase: null,
        reportUnknown: false,
        lastSeen: null,
        goneAt: null,
      },
    ]);
    // c enrolls while the canary runs: it gets what the sites held before, not the new revision.
    await enrollSite(store, "c");
    await store.desired.retargetSite("c");
    expect(await store.desired.set("c")).toEqual([{ id: "int-1", revision: 1 }]);
    await store.rollouts.put({ ...r, stage: 1, state: "Completed", updatedAt: at });
    expect(await store.rollouts.unfinished()).toEqual([]);
    expect((await store.rollouts.latest("int-1"))?.state).toBe("Completed");
  });

  test("audit: appended in order (one or several at once), read in pages", async () => {
    for (let i = 0; i < 2; i++)
      await store.audit.append({ actor: "me", action: `a.${i}`, target: "t", detail: { i } });
    await store.audit.append(
      [2, 3, 4].map((i) => ({ actor: "me", action: `a.${i}`, target: "t", detail: { i } })),
    );
    const first = await store.audit.list({ limit: 3 });
    expect(first.items.map((e) => e.action)).toEqual(["a.0", "a.1", "a.2"]);
    const rest = await store.audit.list({ limit: 3, cursor: first.nextCursor as string });
    expect(rest).toMatchObject({
      nextCursor: null,
      items: [{ action: "a.3", detail: { i: 3 } }, { action: "a.4" }],
    });
  });

  test("a transaction lands whole or not at all", async () => {
    await enrollSite(store, "a");
    await expect(
      store.transaction(async (tx) => {
        await newIntentIn(tx, "int-1");
        await tx.audit.append({ actor: "me", action: "x", target: "int-1" });
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(await store.intents.get("int-1")).toBeUndefined();
    expect((await store.audit.list({ limit: 10 })).items).toEqual([]);
    expect((await store.sites.get("a"))?.desiredVersion).toBe(1);
  });

  test("two replicas: one If-Match change wins, one enrollment per token, no site version lost", async () => {
    const peer = await engine.peer();
    others.push(peer);
    for (let i = 0; i < 5; i++) await enrollSite(store, `s${i}`);
    await newIntent(store, "int-0", { all: true });
    const change = (s: HubStore, priority: "high" | "low") =>
      s.transaction(async (tx) => {
        const i = await tx.intents.update("int-0", 1, { priority });
        return tx.desired.retargetIntent(i.id, i.revision, i.siteSelector);
      });
    const both = await Promise.allSettled([change(store, "high"), change(peer, "low")]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(both.find((r) => r.status === "rejected")).toMatchObject({ reason: { code: "STALE_REVISION" } });

    await store.enrollment.issue({
      id: "e",
      hash: "once",
      site: "late",
      labels: {},
      expiresAt: FUTURE,
      createdBy: "t",
    });
    const spent = await Promise.allSettled([
      store.enrollment.enroll("once", new Date().toISOString(), "x1", null),
      peer.enrollment.enroll("once", new Date().toISOString(), "x2", null),
    ]);
    expect(spent.filter((r) => r.status === "fulfilled")).toHaveLength(1);

    // Intents created at once on both replicas, each reaching every site: every site's versions are 1..n, none twice.
    const before = (await store.sites.get("s0"))?.desiredVersion ?? 0;
    const made = await Promise.all(
      Array.from({ length: 16 }, (_, k) =>
        newIntent(k % 2 ? peer : store, `race-${k}`, {
          matchLabels: {} as never,
          names: ["s0", "s1", "s2", "s3", "s4"],
        }),
      ),
    );
    for (const site of ["s0", "s1", "s2", "s3", "s4"]) {
      const versions = made
        .flatMap((m) => m.changes.filter((c) => c.site === site).map((c) => c.version))
        .sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 16 }, (_, i) => before + 1 + i));
      expect((await store.sites.get(site))?.desiredVersion).toBe(before + 16);
    }
  });

  test("leadership: one replica leads; duties asking at once share one check; released, another leads", async () => {
    // SQLite serves one hub, which leads by being the only one.
    if (engine.name === "sqlite") return expect(store.leadership).toBeUndefined();
    const peer = await engine.peer();
    others.push(peer);
    const [mine, theirs] = [store.leadership, peer.leadership];
    if (!mine || !theirs) throw new Error(`a store on ${engine.name} has no leadership`);
    // The driver warns when a query is sent on a connection that is still running one (an error in its next major).
    const warnings: string[] = [];
    const warned = (w: Error) => warnings.push(w.message);
    process.on("warning", warned);
    try {
      expect(await Promise.all(Array.from({ length: 8 }, () => mine.lead()))).toEqual(Array(8).fill(true));
      expect(await Promise.all([mine.lead(), theirs.lead(), theirs.lead()])).toEqual([true, false, false]);
      await mine.release();
      expect(await theirs.lead()).toBe(true);
      expect(await mine.lead()).toBe(false);
    } finally {
      process.off("warning", warned);
    }
    expect(warnings).toEqual([]);
  });
});

/** The sites an intent is desired at, by name: the rollup lists every one when none has been heard from. */
async function targeted(store: HubStore, intentId: string): Promise<string[]> {
  const t = await store.reports.rollup({
    intentId,
    revision: 1,
    removing: false,
    onlineSince: "2999-01-01T00:00:00Z",
    cap: 100_000,
  });
  return t.notReady.map((s) => s.siteId).sort();
}

async function newIntentIn(tx: Parameters<Parameters<HubStore["transaction"]>[0]>[0], id: string) {
  await tx.intents.create({
    id,
    name: id,
    plan,
    siteSelector: { all: true },
    priority: "medium",
    createdBy: "t",
  });
  await tx.desired.retargetIntent(id, 1, { all: true });
}
