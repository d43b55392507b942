import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { beforeEach, describe, expect, it } from "vitest";
import type { SiteIntentReport } from "@nephoran/shared";
import type { Hub } from "../hub";
import { hashToken } from "../auth/tokens";
import type { TestHub } from "./testing";
import { ADMIN, expectError, testHub } from "./testing";

let th: TestHub;
let hub: Hub;
let tokens: Record<string, string>;
let now: Date;

beforeEach(async () => {
  th = await testHub();
  ({ hub, tokens } = th);
  now = th.now;
});

const call = (...args: Parameters<TestHub["call"]>) => th.call(...args);
const enroll = (site: string, labels: Record<string, string> = {}) => th.enroll(site, labels);

const report = (
  siteId: string,
  intentId: string,
  revision: number,
  phase: SiteIntentReport["phase"],
  reportSeq: number,
): SiteIntentReport => ({
  siteId,
  intentId,
  revision,
  phase,
  conditions: [
    {
      type: "Ready",
      status: phase === "Ready" ? "True" : "False",
      message: `${phase} here`,
      lastTransitionTime: now.toISOString(),
    },
  ],
  nfStatus: [],
  observedAt: now.toISOString(),
  reportSeq,
});

describe("auth", () => {
  it("refuses requests without a token, with an unknown token, and below the needed role", async () => {
    expectError(await call("GET", "/v1/intents", { as: null }), 401, "UNAUTHENTICATED");
    expectError(await call("GET", "/v1/intents", { as: "nph_nonsense" }), 401, "UNAUTHENTICATED");
    expect((await call("GET", "/v1/intents", { as: "viewer" })).status).toBe(200);
    expectError(
      await call("POST", "/v1/intents", { as: "viewer", body: { text: "Deploy AMF at edge01" } }),
      403,
      "FORBIDDEN",
    );
    expectError(
      await call("POST", "/v1/enrollment-tokens", { as: "operator", body: { site: "edge01" } }),
      403,
      "FORBIDDEN",
    );
  });

  it("never lets a site credential call the operator API", async () => {
    const cred = await enroll("edge01");
    expect(cred.startsWith("nps_")).toBe(true);
    for (const [m, p] of [
      ["GET", "/v1/intents"],
      ["GET", "/v1/sites"],
      ["GET", "/v1/sites/edge01"],
      ["POST", "/v1/plan"],
    ] as const) {
      expectError(
        await call(m, p, { as: cred, body: m === "POST" ? { text: "x" } : undefined }),
        403,
        "FORBIDDEN",
      );
    }
  });

  it("stores only hashes of tokens", async () => {
    expect(await hub.deps.store.tokens.byHash(ADMIN)).toBeUndefined();
    expect((await hub.deps.store.tokens.byHash(hashToken(ADMIN)))?.role).toBe("admin");
  });
});

describe("console sessions", () => {
  const open = async (token: string) => {
    const r = await call("POST", "/v1/session", { as: null, body: { token } });
    const cookie = /^nephoran_session=([^;]+);/.exec(r.headers.get("set-cookie") ?? "")?.[1];
    return { r, cookie, as: { as: null, headers: { cookie: `nephoran_session=${cookie ?? ""}` } } };
  };

  it("trades an API token for an HttpOnly, SameSite=Strict, expiring session that acts as its holder", async () => {
    const { r, cookie, as } = await open(tokens["operator"] as string);
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: "operator", role: "operator" });
    const set = r.headers.get("set-cookie") ?? "";
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Max-Age=43200/);
    expect(cookie).toBeDefined();
    expect(cookie).not.toBe(tokens["operator"]);
    expect(r.text).not.toContain(cookie as string);
    expect((await call("GET", "/v1/session", as)).json).toMatchObject({ name: "operator", role: "operator" });
    expect((await call("GET", "/v1/sites", as)).status).toBe(200);
    // It acts as the token's holder: the audit says who, not "a session".
    const made = await call("POST", "/v1/intents", {
      ...as,
      body: { text: "Deploy AMF at edge01", allowUnknownSites: true },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.json["createdBy"]).toBe("operator");
    // A viewer's session changes nothing.
    const viewer = await open(tokens["viewer"] as string);
    expectError(
      await call("DELETE", `/v1/intents/${made.json["id"] as string}`, viewer.as),
      403,
      "FORBIDDEN",
    );
    // It ends: at its time, or at once on sign-out.
    const started = th.now;
    th.now = new Date(started.getTime() + 12 * 3600 * 1000 + 1000);
    expectError(await call("GET", "/v1/session", as), 401, "UNAUTHENTICATED");
    th.now = started;
    const out = await call("DELETE", "/v1/session", viewer.as);
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/nephoran_session=;.*Max-Age=0/);
    expectError(await call("GET", "/v1/session", viewer.as), 401, "UNAUTHENTICATED");
  });

  it("refuses a bad token, a site's credential, a session for a session, and a cross-site request with the cookie", async () => {
    expectError((await open("nph_nonsense")).r, 401, "UNAUTHENTICATED");
    expectError((await open(await enroll("edge09"))).r, 403, "FORBIDDEN");
    const { as, cookie } = await open(ADMIN);
    expectError((await open(cookie as string)).r, 400, "BAD_REQUEST");
    const forged = await call("POST", "/v1/sites/edge09/resync", {
      ...as,
      body: {},
      headers: { ...as.headers, origin: "https://elsewhere.example", "sec-fetch-site": "cross-site" },
    });
    expectError(forged, 403, "CROSS_SITE_REFUSED");
    // A session is not an API token to revoke with DELETE /v1/session, and does not count as the last admin.
    expectError(await call("DELETE", "/v1/session"), 403, "FORBIDDEN");
    const admins = (await call("GET", "/v1/tokens")).json["items"] as { id: string; name: string }[];
    const bootstrap = admins.find((a) => a.name === "bootstrap-admin");
    expect(admins.some((a) => a.name === "console session: bootstrap-admin")).toBe(true);
    expectError(await call("DELETE", `/v1/tokens/${bootstrap?.id ?? ""}`), 409, "CONFLICT");
  });
});

describe("the fleet at a glance", () => {
  it("counts sites by presence and by a label's value, lists those needing attention, and intents by state", async () => {
    await enroll("edge21", { region: "eu" });
    await enroll("edge22", { region: "us" });
    await enroll("edge23", {});
    const f = await call("GET", "/v1/fleet?groupBy=region", { as: "viewer" });
    expect(f.status).toBe(200);
    const sites = f.json["sites"] as { total: number };
    expect(sites.total).toBeGreaterThanOrEqual(3);
    const groups = f.json["groups"] as { value: string; total: number }[];
    expect(groups.find((g) => g.value === "eu")?.total).toBe(1);
    expect(groups.find((g) => g.value === "us")?.total).toBe(1);
    expect(groups.find((g) => g.value === "")?.total).toBeGreaterThanOrEqual(1);
    expectError(await call("GET", "/v1/fleet?groupBy=a%20b"), 400, "VALIDATION_FAILED");
    // The sites list finds by text in a name or a label value.
    const found = await call("GET", "/v1/sites?q=EDGE2", { as: "viewer" });
    expect((found.json["items"] as { id: string }[]).map((s) => s.id).sort()).toEqual([
      "edge21",
      "edge22",
      "edge23",
    ]);
    const us = await call("GET", "/v1/sites?q=us", { as: "viewer" });
    expect((us.json["items"] as { id: string }[]).map((s) => s.id)).toContain("edge22");
  });
});

describe("bad input", () => {
  it("answers malformed JSON, wrong types, unknown fields and oversized bodies with the one error shape", async () => {
    expectError(await call("POST", "/v1/plan", { raw: "{not json" }), 400, "BAD_REQUEST");
    expectError(await call("POST", "/v1/plan", { body: { text: 42 } }), 400, "VALIDATION_FAILED");
    expectError(
      await call("POST", "/v1/plan", { body: { text: "Deploy AMF", extra: true } }),
      400,
      "VALIDATION_FAILED",
    );
    expectError(
      await call("POST", "/v1/intents", { raw: JSON.stringify({ text: "x".repeat(2 * 1024 * 1024) }) }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expectError(await call("GET", "/v1/intents/int-missing"), 404, "NOT_FOUND");
    expectError(await call("GET", "/v1/nowhere"), 404, "NOT_FOUND");
    expectError(await call("GET", "/v1/intents?limit=0"), 400, "VALIDATION_FAILED");
    expectError(await call("GET", "/v1/intents?cursor=zzz"), 400, "BAD_REQUEST");
  });
});

describe("bodies over HTTP", () => {
  it("checks a body's size by its Content-Length, or as a chunked one streams, and reads one within the limit", async () => {
    // The API as the hub serves it (node:http), without the hub's loops (the test clock's sleeps are instant).
    const server = serve({ fetch: hub.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
      const big = JSON.stringify({ text: "x".repeat(2 * 1024 * 1024) });
      const sized = await fetch(`${url}/v1/plan`, { method: "POST", headers, body: big });
      expect(sized.status).toBe(413);
      expect(((await sized.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
      const chunked = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${url}/v1/plan`, { method: "POST", headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.setHeader("transfer-encoding", "chunked");
        for (let i = 0; i < 4; i++) req.write(big.slice(i * 600_000, (i + 1) * 600_000));
        req.end();
      });
      expect(chunked).toBe(413);
      const ok = await fetch(`${url}/v1/plan`, {
        method: "POST",
        headers,
        body: JSON.stringify({ text: "Deploy a basic AMF instance for testing" }),
      });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { plan: { actions: { nf: string }[] } }).plan.actions[0]?.nf).toBe("amf");
    } finally {
      server.close();
    }
  });
});

describe("plan preview", () => {
  it("plans text without storing anything, and refuses unsafe text with the rule", async () => {
    const ok = await call("POST", "/v1/plan", {
      as: "viewer",
      body: { text: "scale UPF to 3 replicas at edge01" },
    });
    expect(ok.status).toBe(200);
    expect(ok.json["plan"]).toMatchObject({
      intentType: "nf.scale",
      actions: [{ kind: "scale", nf: "upf", replicas: 3 }],
    });
    expect(ok.json["scope"]).toEqual([
      expect.stringContaining("every upf instance that earlier intents deployed"),
    ]);
    expect(await hub.deps.store.intents.count()).toBe(0);
    const bad = await call("POST", "/v1/plan", { body: { text: "Deploy UPF in privileged mode" } });
    expectError(bad, 422, "PLAN_REFUSED");
    expect(JSON.stringify(bad.json)).toContain("security.no-privileged");
  });
});

describe("intents", () => {
  beforeEach(() => th.expectSites("edge01", "edge02", "edge03", "edge04"));

  it("creates from text (sites from the text) and from a plan, with ETag and audit", async () => {
    const a = await call("POST", "/v1/intents", {
      as: "operator",
      body: { text: "Deploy 2 AMF and 3 SMF at edge01" },
    });
    expect(a.status).toBe(201);
    expect(a.headers.get("etag")).toBe('"1"');
    expect(a.json).toMatchObject({
      revision: 1,
      state: "active",
      siteSelector: { names: ["edge01"] },
      createdBy: "operator",
    });
    const b = await call("POST", "/v1/intents", {
      body: {
        plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "upf", replicas: 2 }] },
        siteSelector: { matchLabels: { region: "eu" } },
        name: "eu upf",
        allowUnknownSites: true,
      },
    });
    expect(b.status).toBe(201);
    expect(b.json).toMatchObject({ name: "eu upf", plan: { source: "rules", priority: "medium" } });
    const audit = await hub.deps.store.audit.list({ limit: 10 });
    expect(audit.items.map((e) => e.action).filter((a) => a.startsWith("intent."))).toEqual([
      "intent.create",
      "intent.create",
    ]);
  });

  it("refuses sites it does not know, with the names it may mean, unless they are coming later", async () => {
    await enroll("berlin-core", { region: "eu" });
    const typo = await call("POST", "/v1/intents", { body: { text: "Deploy AMF on egde01" } });
    expectError(typo, 422, "UNKNOWN_SITES");
    expect(typo.json.error?.message).toContain('site "egde01" (did you mean "edge01"?) is not enrolled');
    const flag = await call("POST", "/v1/intents", {
      body: { text: "Deploy AMF", siteSelector: { names: ["edge09", "edge99"] } },
    });
    expectError(flag, 422, "UNKNOWN_SITES");
    expect(flag.json.error?.message).toContain(
      'sites "edge09" (did you mean "edge01" or "edge02" or "edge03"?), "edge99"',
    );
    const labels = await call("POST", "/v1/intents", {
      body: { text: "Deploy AMF", siteSelector: { matchLabels: { region: "us" } } },
    });
    expectError(labels, 422, "UNKNOWN_SITES");
    expect(labels.json.error?.message).toContain("region=us matches no enrolled or expected site");
    expect(await hub.deps.store.intents.count()).toBe(0);
    // Named in plain language: an enrolled site is a site whatever its name looks like, a label value a label.
    const named = await call("POST", "/v1/intents", { body: { text: "Deploy PCF at berlin-core" } });
    expect(named.json).toMatchObject({ siteSelector: { names: ["berlin-core"] } });
    const viaLabel = await call("POST", "/v1/plan", { body: { text: "Deploy PCF in eu" } });
    expect(viaLabel.json).toMatchObject({ plan: { sites: { matchLabels: { region: "eu" } } } });
    // The hub's directory of names follows the fleet: a relabel and a decommission are seen at once.
    expect(
      (await call("PATCH", "/v1/sites/berlin-core", { body: { labels: { city: "berlin" } } })).status,
    ).toBe(200);
    const relabelled = await call("POST", "/v1/plan", { body: { text: "Deploy PCF in berlin" } });
    expect(relabelled.json).toMatchObject({ plan: { sites: { matchLabels: { city: "berlin" } } } });
    expect((await call("DELETE", "/v1/sites/berlin-core")).status).toBe(204);
    expectError(
      await call("POST", "/v1/intents", { body: { text: "Deploy PCF at berlin-core" } }),
      422,
      "UNKNOWN_SITES",
    );
    // Coming later: said so, accepted.
    const later = await call("POST", "/v1/intents", {
      body: { text: "Deploy AMF at edge99", allowUnknownSites: true },
    });
    expect(later.status).toBe(201);
    const patched = await call("PATCH", `/v1/intents/${later.json["id"] as string}`, {
      headers: { "if-match": '"1"' },
      body: { siteSelector: { names: ["edge98"] } },
    });
    expectError(patched, 422, "UNKNOWN_SITES");
  });

  it("refuses an intent with no sites, with both text and plan, and a plan that breaks a guardrail — storing nothing", async () => {
    expectError(
      await call("POST", "/v1/intents", { body: { text: "Deploy AMF" } }),
      400,
      "VALIDATION_FAILED",
    );
    expectError(
      await call("POST", "/v1/intents", {
        body: {
          text: "Deploy AMF",
          plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf" }] },
        },
      }),
      400,
      "VALIDATION_FAILED",
    );
    const r = await call("POST", "/v1/intents", {
      body: {
        plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: 99 }] },
        siteSelector: { all: true },
      },
    });
    expectError(r, 422, "PLAN_REFUSED");
    expect(JSON.stringify(r.json)).toContain("replicas.range");
    expect(await hub.deps.store.intents.count()).toBe(0);
  });

  it("lists with filters and cursor pagination", async () => {
    for (let i = 0; i < 5; i++)
      await call("POST", "/v1/intents", {
        body: { text: `Deploy AMF at edge0${i % 4 || 4}${i === 4 ? " urgently" : ""}` },
      });
    const p1 = await call("GET", "/v1/intents?limit=2");
    expect((p1.json["items"] as unknown[]).length).toBe(2);
    const p2 = await call("GET", `/v1/intents?limit=2&cursor=${p1.json["nextCursor"] as string}`);
    const p3 = await call("GET", `/v1/intents?limit=2&cursor=${p2.json["nextCursor"] as string}`);
    expect((p3.json["items"] as unknown[]).length).toBe(1);
    expect(p3.json["nextCursor"]).toBeNull();
    const ids = [p1, p2, p3].flatMap((p) => (p.json["items"] as { id: string }[]).map((i) => i.id));
    expect(new Set(ids).size).toBe(5);
    expect(((await call("GET", "/v1/intents?priority=high")).json["items"] as unknown[]).length).toBe(1);
  });

  it("changes only with the current revision in If-Match", async () => {
    const a = await call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge01" } });
    const id = a.json["id"] as string;
    expectError(
      await call("PATCH", `/v1/intents/${id}`, { body: { text: "Deploy 2 AMF at edge01" } }),
      428,
      "PRECONDITION_REQUIRED",
    );
    const ok = await call("PATCH", `/v1/intents/${id}`, {
      body: { text: "Deploy 2 AMF at edge01" },
      headers: { "if-match": '"1"' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe('"2"');
    expect(ok.json).toMatchObject({ revision: 2, plan: { actions: [{ replicas: 2 }] } });
    expectError(
      await call("PATCH", `/v1/intents/${id}`, {
        body: { priority: "high" },
        headers: { "if-match": '"1"' },
      }),
      409,
      "STALE_REVISION",
    );
    expectError(
      await call("PATCH", `/v1/intents/${id}`, {
        body: { text: "Deploy 99 AMF" },
        headers: { "if-match": '"2"' },
      }),
      422,
      "PLAN_REFUSED",
    );
    expect((await call("GET", `/v1/intents/${id}`)).json["revision"]).toBe(2);
  });

  it("deletes by marking the intent deleting for every site; a second delete conflicts", async () => {
    await enroll("edge01");
    const id = (await call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge01" } })).json[
      "id"
    ] as string;
    const d = await call("DELETE", `/v1/intents/${id}`, { as: "operator" });
    expect(d.status).toBe(202);
    expect(d.json["intent"]).toMatchObject({ state: "deleting", revision: 2 });
    expectError(await call("DELETE", `/v1/intents/${id}`), 409, "CONFLICT");
    expectError(
      await call("PATCH", `/v1/intents/${id}`, { body: { priority: "low" }, headers: { "if-match": '"2"' } }),
      409,
      "CONFLICT",
    );
    // An intent no site holds has nothing to wait for: it is gone at once.
    const created = await call("POST", "/v1/intents", {
      body: { text: "Deploy AMF at edge09", allowUnknownSites: true },
    });
    expect(created.status).toBe(201);
    const none = created.json["id"] as string;
    expect((await call("DELETE", `/v1/intents/${none}`)).status).toBe(202);
    expectError(await call("GET", `/v1/intents/${none}`), 404, "NOT_FOUND");
  });

  it("rolls up per-site phases worst first, with Offline for sites not heard from", async () => {
    for (const s of ["edge01", "edge02", "edge03", "edge04", "edge05"]) await enroll(s, { region: "eu" });
    const id = (await call("POST", "/v1/intents", { body: { text: "Deploy AMF on all sites in region eu" } }))
      .json["id"] as string;
    await hub.deps.store.reports.put([report("edge01", id, 1, "Ready", 5)]);
    await hub.deps.store.reports.put([report("edge02", id, 1, "Failed", 5)]);
    await hub.deps.store.reports.put([report("edge03", id, 1, "Applying", 5)]);
    expect(await hub.deps.store.reports.put([report("edge03", id, 1, "Ready", 4)])).toBe(0); // older report: ignored
    // A site whose target writes manifests but cannot observe readiness: Applied, and settled.
    const written = report("edge05", id, 1, "Applied", 5);
    await hub.deps.store.reports.put([
      {
        ...written,
        conditions: [
          { ...(written.conditions[0] as SiteIntentReport["conditions"][number]), status: "Unknown" },
        ],
      },
    ]);
    const r = await call("GET", `/v1/intents/${id}`, { as: "viewer" });
    const rollup = r.json["rollup"] as {
      counts: Record<string, number>;
      worst: string;
      notReady: { siteId: string; phase: string }[];
      targetedSites: number;
      settled: number;
    };
    expect(rollup.targetedSites).toBe(5);
    expect(rollup.counts).toMatchObject({ Ready: 1, Failed: 1, Applying: 1, Offline: 1, Applied: 1 });
    expect(rollup.settled).toBe(2);
    expect(rollup.worst).toBe("Failed");
    expect(rollup.notReady.map((s) => `${s.siteId}:${s.phase}`)).toEqual([
      "edge02:Failed",
      "edge04:Offline",
      "edge03:Applying",
      "edge05:Applied",
    ]);
    // Messages: from the report's first condition that is not True, or from presence.
    const notReady = rollup.notReady as { siteId: string; message?: string }[];
    expect(notReady[0]).toEqual({ siteId: "edge02", phase: "Failed", message: "Failed here" });
    expect(notReady[1]?.message).toMatch(/^not heard from since|^never heard from/);
    th.now = now = new Date(now.getTime() + 10 * 60_000); // ten minutes of silence: every site is offline
    const later = (await call("GET", `/v1/intents/${id}`)).json["rollup"] as {
      counts: Record<string, number>;
    };
    expect(later.counts["Offline"]).toBe(5);
  });
});

describe("enrollment and sites", () => {
  it("lists the intents a site runs (its desired set) and filters sites by presence inside the paging", async () => {
    for (const s of ["edge01", "edge02", "edge03", "edge04", "edge05", "edge06"])
      await enroll(s, s === "edge01" || s === "edge02" ? { region: "eu" } : {});
    const make = async (text: string) =>
      (await call("POST", "/v1/intents", { body: { text } })).json["id"] as string;
    const a = await make("Deploy AMF at edge01");
    const b = await make("Deploy SMF on all sites in region eu");
    const c = await make("Deploy UPF at edge03");
    const ids = async (q: string) =>
      ((await call("GET", `/v1/intents?${q}`, { as: "viewer" })).json["items"] as { id: string }[]).map(
        (i) => i.id,
      );
    expect(await ids("site=edge01")).toEqual([a, b]);
    expect(await ids("site=edge02")).toEqual([b]);
    expect(await ids("site=edge03")).toEqual([c]);
    expect(await ids("site=edge09")).toEqual([]);
    expectError(await call("GET", "/v1/intents?site=Not_A_Site"), 400, "VALIDATION_FAILED");
    await call("DELETE", `/v1/intents/${a}`);
    expect(await ids("site=edge01")).toEqual([b]);
    // The rollup and the site view read the same table.
    expect(
      ((await call("GET", `/v1/intents/${b}`)).json["rollup"] as { targetedSites: number }).targetedSites,
    ).toBe(2);
    const view = (await call("GET", "/v1/sites/edge01")).json["intents"] as { intentId: string }[];
    expect(view.map((i) => i.intentId)).toEqual([b]);

    // Only edge05 and edge06 are heard from: a page of one online site is never empty while more follow.
    await hub.deps.store.reports.put([report("edge05", c, 1, "Ready", 1)]);
    await hub.deps.store.reports.put([report("edge06", c, 1, "Ready", 1)]);
    const p1 = (await call("GET", "/v1/sites?presence=online&limit=1")).json;
    expect((p1["items"] as { id: string }[]).map((s) => s.id)).toEqual(["edge05"]);
    const p2 = (await call("GET", `/v1/sites?presence=online&limit=1&cursor=${p1["nextCursor"] as string}`))
      .json;
    expect((p2["items"] as { id: string }[]).map((s) => s.id)).toEqual(["edge06"]);
    expect(p2["nextCursor"]).toBeNull();
    const offline = (await call("GET", "/v1/sites?presence=offline&label=region=eu")).json;
    expect((offline["items"] as { id: string }[]).map((s) => s.id)).toEqual(["edge01", "edge02"]);
  });

  it("spends a token once, refuses expired and unknown tokens the same way", async () => {
    const t = await call("POST", "/v1/enrollment-tokens", {
      body: { site: "edge01", labels: { region: "eu" }, ttlSeconds: 600 },
    });
    expect(t.json["token"]).toMatch(/^npe_/);
    // The site may add labels of its own; the operator's (the token's) win where both set a key.
    const first = await call("POST", "/v1/enroll", {
      as: null,
      body: { token: t.json["token"], labels: { region: "us", tier: "gold" } },
    });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ siteId: "edge01", labels: { region: "eu", tier: "gold" } });
    expect((await call("GET", "/v1/sites/edge01")).json).toMatchObject({
      labels: { region: "eu", tier: "gold" },
    });
    expectError(
      await call("POST", "/v1/enroll", { as: null, body: { token: t.json["token"] } }),
      401,
      "TOKEN_INVALID",
    );
    const t2 = await call("POST", "/v1/enrollment-tokens", { body: { site: "edge02", ttlSeconds: 60 } });
    th.now = now = new Date(now.getTime() + 61_000);
    expectError(
      await call("POST", "/v1/enroll", { as: null, body: { token: t2.json["token"] } }),
      401,
      "TOKEN_INVALID",
    );
    expectError(
      await call("POST", "/v1/enroll", { as: null, body: { token: "npe_unknown_token_value" } }),
      401,
      "TOKEN_INVALID",
    );
    expectError(
      await call("POST", "/v1/enrollment-tokens", { body: { site: "Bad_Name" } }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("lists and shows sites with presence, versions and their intents; relabels, resyncs and decommissions", async () => {
    await enroll("edge01", { region: "eu" });
    await enroll("edge02", { region: "us" });
    const id = (await call("POST", "/v1/intents", { body: { text: "Deploy AMF at all sites in region eu" } }))
      .json["id"] as string;
    const eu = await call("GET", "/v1/sites?label=region=eu", { as: "viewer" });
    expect((eu.json["items"] as { id: string }[]).map((s) => s.id)).toEqual(["edge01"]);
    const s1 = await call("GET", "/v1/sites/edge01");
    expect(s1.json).toMatchObject({
      id: "edge01",
      presence: "offline",
      agentVersion: "0.1.0",
      intents: [{ intentId: id, phase: "Offline" }],
    });
    expect(s1.json["desiredVersion"]).toBeGreaterThanOrEqual(2);
    expect(((await call("GET", "/v1/sites/edge02")).json["intents"] as unknown[]).length).toBe(0);
    // Relabelling edge02 into eu brings the intent to it.
    const p = await call("PATCH", "/v1/sites/edge02", { as: "operator", body: { labels: { region: "eu" } } });
    expect(p.json["labels"]).toEqual({ region: "eu" });
    expect(((await call("GET", "/v1/sites/edge02")).json["intents"] as unknown[]).length).toBe(1);
    expect((await call("POST", "/v1/sites/edge02/resync", { as: "operator" })).status).toBe(202);
    expectError(await call("DELETE", "/v1/sites/edge02", { as: "operator" }), 403, "FORBIDDEN");
    expect((await call("DELETE", "/v1/sites/edge02")).status).toBe(204);
    expectError(await call("GET", "/v1/sites/edge02"), 404, "NOT_FOUND");
    expectError(
      await call("PATCH", "/v1/sites/edge01", { body: { labels: { "bad key!": "x" } } }),
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("documents and health", () => {
  it("serves the OpenAPI document generated from the route schemas, a docs page, and checks", async () => {
    const doc = await call("GET", "/openapi.json", { as: null });
    const paths = Object.keys(doc.json["paths"] as object);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/v1/plan",
        "/v1/intents",
        "/v1/intents/{id}",
        "/v1/sites",
        "/v1/sites/{id}",
        "/v1/enroll",
        "/v1/enrollment-tokens",
      ]),
    );
    const front = await call("GET", "/", { as: null });
    expect(front.status).toBe(302);
    expect(front.headers.get("location")).toBe("/ui");
    // The reference: Swagger UI from the hub's own assets, nothing from elsewhere.
    const docs = await call("GET", "/docs", { as: null });
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-security-policy")).toContain("script-src 'self'");
    const srcs = [...docs.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(srcs).toEqual(
      expect.arrayContaining([
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/openapi.json",
      ]),
    );
    expect(srcs.filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
    const init = await call("GET", "/docs/assets/init.js", { as: null });
    expect(init.text).toContain('url: "/openapi.json"');
    expect(init.text).toContain("validatorUrl: null");
    const bundle = await call("GET", "/docs/assets/swagger-ui-bundle.js", { as: null });
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toContain("javascript");
    expect(bundle.text.length).toBeGreaterThan(500_000);
    expect(
      (
        await call("GET", "/docs/assets/swagger-ui.css", {
          as: null,
          headers: { "if-none-match": bundle.headers.get("etag") as string },
        })
      ).status,
    ).toBe(304);
    expect((await call("GET", "/docs/assets/..%2Fpackage.json", { as: null })).status).toBe(404);
    // The document lists the stream and the metrics too.
    expect(paths).toEqual(expect.arrayContaining(["/v1/events", "/metrics"]));
    expect((await call("GET", "/healthz", { as: null })).status).toBe(200);
    // This hub's sync was never started: not ready, and it says why.
    expect((await call("GET", "/readyz", { as: null })).json).toMatchObject({
      status: "not ready",
      checks: { store: true, sync: { link: "connecting" } },
    });
    const noSync = await testHub({ sync: { transport: "none" } });
    expect((await noSync.call("GET", "/readyz", { as: null })).json).toMatchObject({
      status: "ready",
      checks: { store: true, sync: "off" },
    });
    await noSync.hub.deps.store.close();
    expect((await noSync.call("GET", "/readyz", { as: null })).status).toBe(503);
  });
});

describe("audit, events, metrics and TMF921", () => {
  it("keeps an audit trail that only admins read", async () => {
    await enroll("edge01");
    await call("POST", "/v1/intents", { as: "operator", body: { text: "Deploy AMF at edge01" } });
    expectError(await call("GET", "/v1/audit", { as: "operator" }), 403, "FORBIDDEN");
    const a = await call("GET", "/v1/audit");
    expect(
      (a.json["items"] as { action: string; actor: string }[]).map((e) => `${e.actor} ${e.action}`),
    ).toEqual(["bootstrap-admin enrollment.issue", "site:edge01 site.enroll", "operator intent.create"]);
  });

  it("streams intent and site changes as server-sent events", async () => {
    await th.expectSites("edge01");
    const ctrl = new AbortController();
    const res = await hub.app.request("/v1/events", {
      headers: { authorization: `Bearer ${tokens["viewer"] as string}` },
      signal: ctrl.signal,
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil("event: ready");
    const id = (await call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge01" } })).json[
      "id"
    ] as string;
    await readUntil("intent.created");
    expect(text).toContain(`"id":"${id}"`);
    ctrl.abort();
    await reader.cancel().catch(() => undefined);
  });

  it("exposes Prometheus metrics for requests, intents and sites", async () => {
    await enroll("edge01");
    await call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge01" } });
    await call("POST", "/v1/plan", { body: { text: "Deploy 99 AMF" } });
    const m = await call("GET", "/metrics", { as: null });
    expect(m.text).toContain('active_network_intents_total{state="active"} 1');
    expect(m.text).toContain('sites{presence="offline"} 1');
    expect(m.text).toContain('intents_processed_total{result="refused"} 1');
    expect(m.text).toMatch(/http_requests_total\{method="POST",route="\/v1\/intents",status="201"\} 1/);
    expect(m.text).toContain("intent_processing_duration_seconds_bucket");
    // SQLite: a writer and a reader, both open.
    expect(m.text).toContain('database_connection_pool_size{state="max"} 2');
    expect(m.text).toContain('database_connection_pool_size{state="open"} 2');
  });

  it("maps TMF921 create, list, get and delete onto the same intents", async () => {
    await th.expectSites("edge01", "edge02");
    const created = await call("POST", "/tmf-api/intentManagement/v5/intent", {
      as: "operator",
      body: {
        "@type": "Intent",
        name: "urllc",
        description: "Create a URLLC slice with 1 ms latency on edge01 and edge02",
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      "@type": "Intent",
      version: "1",
      lifecycleStatus: "active",
      characteristic: [{ name: "plan", value: { intentType: "slice.deploy" } }],
    });
    const id = created.json["id"] as string;
    expect((await call("GET", `/v1/intents/${id}`)).json["siteSelector"]).toEqual({
      names: ["edge01", "edge02"],
    });
    const byPlan = await call("POST", "/tmf-api/intentManagement/v5/intent", {
      body: {
        name: "amf",
        expression: {
          "@type": "JsonLdExpression",
          expressionValue: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: 1 }] },
        },
        siteSelector: { all: true },
      },
    });
    expect(byPlan.status).toBe(201);
    const list = await call("GET", "/tmf-api/intentManagement/v5/intent?limit=1&offset=1", { as: "viewer" });
    expect(list.headers.get("x-total-count")).toBe("2");
    expect((list.json as unknown as { id: string }[]).map((i) => i.id)).toEqual([byPlan.json["id"]]);
    expect((await call("GET", `/tmf-api/intentManagement/v5/intent/${id}`)).json["name"]).toBe("urllc");
    // No site has enrolled yet, so none holds it: gone at once.
    expect((await call("DELETE", `/tmf-api/intentManagement/v5/intent/${id}`)).status).toBe(204);
    expectError(await call("GET", `/tmf-api/intentManagement/v5/intent/${id}`), 404, "NOT_FOUND");
    expectError(
      await call("POST", "/tmf-api/intentManagement/v5/intent", {
        body: { name: "x", description: "Deploy UPF with hostNetwork at edge01" },
      }),
      422,
      "PLAN_REFUSED",
    );
  });
});

describe("the hub's LLM planner", () => {
  it("falls back to the rules when the configured model cannot answer, and says so in the plan's warnings", async () => {
    const withLlm = await testHub({
      sync: { transport: "none" },
      llm: { baseUrl: "http://127.0.0.1:9/v1", model: "any", timeoutMs: 500 },
    });
    const res = await withLlm.call("POST", "/v1/plan", {
      body: { text: "scale UPF to 3 replicas at edge01" },
    });
    expect(res.status).toBe(200);
    const body = res.json as { source: string; warnings: string[] };
    expect(body.source).toBe("rules");
    expect(body.warnings.join(" ")).toMatch(/LLM planner not used/);
    // The retrieval that grounds the model, and the request that failed, are measured.
    const m = await withLlm.call("GET", "/metrics", { as: null });
    expect(m.text).toContain('llm_request_duration_seconds_count{outcome="error"} 1');
    expect(m.text).toContain("rag_query_duration_seconds_count 1");
    await withLlm.hub.stop();
  });
});
