/** What the hub's API refuses and keeps: cross-site requests, bad bodies, tokens, retried creates. */
import { beforeEach, describe, expect, it } from "vitest";
import type { TestHub } from "./testing";
import { expectError, testHub } from "./testing";
import { idempotentId } from "./idempotency";

let h: TestHub;
beforeEach(async () => {
  h = await testHub();
});

describe("cross-site requests and bodies", () => {
  it("refuses a forged cross-origin form post and a non-JSON body, and takes curl and same-origin JSON", async () => {
    const forged = await h.call("POST", "http://127.0.0.1:8080/v1/intents", {
      raw: "text=Deploy+AMF+at+edge01",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
      },
    });
    expectError(forged, 403, "CROSS_SITE_REFUSED");
    const plain = await h.call("POST", "/v1/intents", {
      raw: JSON.stringify({ text: "Deploy AMF at edge01" }),
      headers: { "content-type": "text/plain" },
    });
    expectError(plain, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect((await h.call("GET", "/v1/intents")).json["items"]).toEqual([]);
    await h.enroll("edge01");
    const same = await h.call("POST", "http://127.0.0.1:8080/v1/intents", {
      body: { text: "Deploy AMF at edge01" },
      headers: { origin: "http://127.0.0.1:8080", "sec-fetch-site": "same-origin" },
    });
    expect(same.status).toBe(201);
    // A bodiless POST (resync) needs no content type, but still no foreign origin.
    expect((await h.call("POST", "/v1/sites/edge01/resync")).status).toBe(202);
    expectError(
      await h.call("POST", "/v1/sites/edge01/resync", { headers: { origin: "https://evil.example" } }),
      403,
      "CROSS_SITE_REFUSED",
    );
  });

  it("refuses a __proto__ key instead of dropping it (which wiped a site's labels)", async () => {
    await h.enroll("edge01", { region: "eu" });
    const r = await h.call("PATCH", "/v1/sites/edge01", { raw: '{"labels":{"__proto__":{"x":"y"}}}' });
    expectError(r, 400, "VALIDATION_FAILED");
    expect((await h.call("GET", "/v1/sites/edge01")).json["labels"]).toEqual({ region: "eu" });
  });

  it("bounds label maps and selectors: 400, never a 500 from the store", async () => {
    await h.enroll("edge01");
    const many = Object.fromEntries(Array.from({ length: 999 }, (_, i) => [`k${i}`, "v"]));
    const plan = { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: 1 }] };
    expectError(
      await h.call("POST", "/v1/intents", { body: { plan, siteSelector: { matchLabels: many } } }),
      400,
      "VALIDATION_FAILED",
    );
    expectError(
      await h.call("POST", "/tmf-api/intentManagement/v5/intent", {
        body: { name: "x", description: "Deploy AMF", siteSelector: { matchLabels: many } },
      }),
      400,
      "VALIDATION_FAILED",
    );
    const ok = await h.call("POST", "/v1/intents", { body: { plan, siteSelector: { names: ["edge01"] } } });
    expectError(
      await h.call("PATCH", `/v1/intents/${String(ok.json["id"])}`, {
        body: { siteSelector: { matchLabels: many } },
        headers: { "if-match": '"1"' },
      }),
      400,
      "VALIDATION_FAILED",
    );
    expectError(
      await h.call("PATCH", "/v1/sites/edge01", { body: { labels: many } }),
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("metrics", () => {
  it("names no site to an anonymous scrape, and every site to a viewer", async () => {
    await h.enroll("edge-berlin-01");
    await h.call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge-berlin-01" } });
    const anon = await h.call("GET", "/metrics", { as: null });
    expect(anon.status).toBe(200);
    expect(anon.text).toContain("active_network_intents_total");
    expect(anon.text).not.toContain("edge-berlin-01");
    const viewer = await h.call("GET", "/metrics", { as: "viewer" });
    expect(viewer.text).toMatch(/sync_lag_versions\{site="edge-berlin-01"\} [1-9]/);
    expectError(await h.call("GET", "/metrics", { as: "nph_wrong" }), 401, "UNAUTHENTICATED");

    const strict = await testHub({ metricsAccess: "token" });
    expectError(await strict.call("GET", "/metrics", { as: null }), 401, "UNAUTHENTICATED");
    expect((await strict.call("GET", "/metrics", { as: "viewer" })).status).toBe(200);
  });
});

describe("API tokens", () => {
  it("issues tokens by role, lists them without secrets, and revokes them at once, audited", async () => {
    const made = await h.call("POST", "/v1/tokens", { body: { name: "ci-bot", role: "operator" } });
    expect(made.status).toBe(201);
    const token = made.json["token"] as string;
    const id = made.json["id"] as string;
    expect(token).toMatch(/^nph_/);
    expect(made.json).toMatchObject({
      role: "operator",
      expiresAt: null,
      revokedAt: null,
      createdBy: "bootstrap-admin",
    });

    expect((await h.call("GET", "/v1/intents", { as: token })).status).toBe(200);
    expectError(await h.call("GET", "/v1/tokens", { as: token }), 403, "FORBIDDEN");
    const list = await h.call("GET", "/v1/tokens");
    const listed = (list.json["items"] as Record<string, unknown>[]).find((t) => t["id"] === id);
    expect(listed).toMatchObject({ name: "ci-bot", role: "operator", lastUsedAt: h.now.toISOString() });
    expect(JSON.stringify(list.json)).not.toContain(token);

    expect((await h.call("DELETE", `/v1/tokens/${id}`)).json["revokedAt"]).toBe(h.now.toISOString());
    expectError(await h.call("GET", "/v1/intents", { as: token }), 401, "UNAUTHENTICATED");
    const audit = (await h.call("GET", "/v1/audit")).json["items"] as { action: string; target: string }[];
    expect(audit.filter((a) => a.target === id).map((a) => a.action)).toEqual([
      "token.create",
      "token.revoke",
    ]);
    expectError(await h.call("DELETE", "/v1/tokens/tok-nosuchtoken"), 404, "NOT_FOUND");
  });

  it("lets a token expire, and refuses to revoke the last admin token", async () => {
    const made = await h.call("POST", "/v1/tokens", {
      body: { name: "temp", role: "viewer", ttlSeconds: 60 },
    });
    const token = made.json["token"] as string;
    expect((await h.call("GET", "/v1/sites", { as: token })).status).toBe(200);
    h.now = new Date(h.now.getTime() + 61_000);
    const expired = await h.call("GET", "/v1/sites", { as: token });
    expectError(expired, 401, "UNAUTHENTICATED");
    expect(expired.json.error?.message).toMatch(/expired/);

    const admins = (
      (await h.call("GET", "/v1/tokens")).json["items"] as { id: string; role: string }[]
    ).filter((t) => t.role === "admin");
    expect(admins).toHaveLength(1);
    expectError(await h.call("DELETE", `/v1/tokens/${admins[0]?.id}`), 409, "CONFLICT");
    expect((await h.call("GET", "/v1/tokens")).status).toBe(200);
  });
});

describe("Idempotency-Key", () => {
  it("answers a retried create with the first answer, and refuses the key with another body", async () => {
    await h.enroll("edge01");
    const key = { "idempotency-key": "retry-7f3c" };
    const first = await h.call("POST", "/v1/intents", {
      body: { text: "Deploy AMF at edge01" },
      headers: key,
    });
    expect(first.status).toBe(201);
    const again = await h.call("POST", "/v1/intents", {
      body: { text: "Deploy AMF at edge01" },
      headers: key,
    });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.json).toEqual(first.json);
    expect((await h.call("GET", "/v1/intents")).json["items"]).toHaveLength(1);
    expectError(
      await h.call("POST", "/v1/intents", { body: { text: "Deploy SMF at edge01" }, headers: key }),
      422,
      "IDEMPOTENCY_KEY_REUSED",
    );
    // Keys are per caller: another token's same key is its own request.
    const other = await h.call("POST", "/v1/intents", {
      as: "operator",
      body: { text: "Deploy AMF at edge01" },
      headers: key,
    });
    expect(other.json["id"]).not.toBe(first.json["id"]);
    // A refusal is not kept: fixing the body under a new key works, and the refused key may be used again.
    const bad = { "idempotency-key": "k-bad" };
    expect(
      (await h.call("POST", "/v1/intents", { body: { text: "Deploy 99 AMF at edge01" }, headers: bad }))
        .status,
    ).toBe(422);
    expect(
      (await h.call("POST", "/v1/intents", { body: { text: "Deploy UPF at edge01" }, headers: bad })).status,
    ).toBe(201);
    expectError(
      await h.call("POST", "/v1/intents", {
        body: { text: "x" },
        headers: { "idempotency-key": "bad key with spaces" },
      }),
      400,
      "BAD_REQUEST",
    );
  });

  it("does not create twice when the hub died between its commit and its answer", async () => {
    await h.enroll("edge01");
    const admin = (await h.hub.deps.store.tokens.list()).find((t) => t.role === "admin");
    const scope = `${admin?.id} POST /v1/intents`;
    // What a killed request leaves: its claim, and the intent it committed (made under the key's id).
    const body = JSON.stringify({ text: "Deploy AMF at edge01" });
    const first = await h.call("POST", "/v1/intents", { raw: body, headers: { "idempotency-key": "died" } });
    await h.hub.deps.store.idempotency.release(scope, "died");
    expect(await h.hub.deps.store.idempotency.claim(scope, "died", "0".repeat(64))).toBe(true);
    const inFlight = await h.call("POST", "/v1/intents", {
      raw: body,
      headers: { "idempotency-key": "died" },
    });
    expect(inFlight.status).toBe(422); // the claim's body differs: never mistaken for this request
    await h.hub.deps.store.idempotency.release(scope, "died");
    expect(first.json["id"]).toBe(idempotentId("int", scope, "died"));
    const retried = await h.call("POST", "/v1/intents", {
      raw: body,
      headers: { "idempotency-key": "died" },
    });
    expect(retried.status).toBe(201);
    expect(retried.json["id"]).toBe(first.json["id"]);
    expect((await h.call("GET", "/v1/intents")).json["items"]).toHaveLength(1);
  });

  it("gives a retried enrollment the same credential, and TMF921 create the same intent", async () => {
    const tok = await h.call("POST", "/v1/enrollment-tokens", { body: { site: "edge07" } });
    const body = { token: tok.json["token"] };
    const key = { "idempotency-key": "enroll-1" };
    const a = await h.call("POST", "/v1/enroll", { as: null, body, headers: key });
    const b = await h.call("POST", "/v1/enroll", { as: null, body, headers: key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json["credential"]).toBe(a.json["credential"]);
    // Without the key the spent token is refused, as before.
    expectError(await h.call("POST", "/v1/enroll", { as: null, body }), 401, "TOKEN_INVALID");

    const tmf = { name: "amf", description: "Deploy AMF at edge07" };
    const t1 = await h.call("POST", "/tmf-api/intentManagement/v5/intent", { body: tmf, headers: key });
    const t2 = await h.call("POST", "/tmf-api/intentManagement/v5/intent", { body: tmf, headers: key });
    expect(t1.status).toBe(201);
    expect(t2.json["id"]).toBe(t1.json["id"]);
  });
});

describe("a site's local intents", () => {
  it("are only the site's own; a deleted fleet intent never comes back as one, even from a late report", async () => {
    await h.enroll("edge01");
    const created = await h.call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge01" } });
    const id = created.json["id"] as string;
    const store = h.hub.deps.store;
    const report = (intentId: string, seq: number) => ({
      siteId: "edge01",
      intentId,
      revision: 1,
      phase: "Ready" as const,
      conditions: [],
      nfStatus: [],
      observedAt: h.now.toISOString(),
      reportSeq: seq,
    });
    await store.reports.record({ seen: [], acks: [], reports: [report(id, 1), report("local-0123abcd", 2)] });
    expect((await h.call("DELETE", `/v1/intents/${id}`)).status).toBe(202);
    // The site acknowledges the delete: the hub purges the intent, and its reports with it.
    const version = (await store.sites.get("edge01"))?.desiredVersion ?? 0;
    await store.reports.record({ seen: [], acks: [{ site: "edge01", version }], reports: [] });
    expect(await store.intents.get(id)).toBeUndefined();
    expect((await store.reports.forSite("edge01")).map((r) => r.intentId)).toEqual(["local-0123abcd"]);
    // A report still in the site's outbox arrives late: dropped, not a "local" intent.
    expect(await store.reports.record({ seen: [], acks: [], reports: [report(id, 3)] })).toBe(0);
    const view = await h.call("GET", "/v1/sites/edge01");
    expect((view.json["localIntents"] as { intentId: string }[]).map((l) => l.intentId)).toEqual([
      "local-0123abcd",
    ]);
  });
});

describe("TMF921 create", () => {
  it("keeps the caller's priority and description as given", async () => {
    await h.enroll("edge01");
    const r = await h.call("POST", "/tmf-api/intentManagement/v5/intent", {
      body: {
        name: "amf",
        description: "Lab AMF for the Tuesday interop session",
        priority: "high",
        expression: { "@type": "TextExpression", expressionValue: "Deploy AMF at edge01" },
      },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      priority: "high",
      description: "Lab AMF for the Tuesday interop session",
    });
    const stored = await h.hub.deps.store.intents.get(r.json["id"] as string);
    expect(stored).toMatchObject({ priority: "high", text: "Deploy AMF at edge01" });
    expectError(
      await h.call("POST", "/tmf-api/intentManagement/v5/intent", {
        body: { name: "x", description: "Deploy AMF at edge01", priority: "urgent-ish" },
      }),
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("sites named twice", () => {
  it("refuses a text that names other sites than the siteSelector beside it, naming both", async () => {
    await h.enroll("edge01");
    await h.enroll("demo");
    const r = await h.call("POST", "/v1/intents", {
      body: { text: "scale the UPF at edge01 to 3 replicas", siteSelector: { names: ["demo"] } },
    });
    expectError(r, 422, "SITES_CONFLICT");
    expect(r.json.error?.message).toMatch(/names edge01 .*says demo/);
    expect((await h.call("GET", "/v1/intents")).json["items"]).toEqual([]);
    // The same sites both ways is no conflict.
    const ok = await h.call("POST", "/v1/intents", {
      body: { text: "Deploy AMF at edge01", siteSelector: { names: ["edge01"] } },
    });
    expect(ok.status).toBe(201);
  });
});
