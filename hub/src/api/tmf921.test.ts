/**
 * TMF921 v5 conformance: every answer of `/tmf-api/intentManagement/v5/intent` — happy and error paths —
 * validated against TM Forum's published v5.0.0 schemas (`../shared/peers/tmf921/`) in JSON Schema draft
 * 2020-12, and the requests the tests send validated against the standard's input schemas too.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { SiteIntentReport } from "@nephoran/shared";
import { onReports } from "../assurance";
import { Notifier, signature } from "../notify";
import type { TestHub } from "./testing";
import { expectError, testHub } from "./testing";

const PEERS = resolve(
  process.env["NEPHORAN_PEERS"] ?? join(import.meta.dirname, "../../../../shared/peers"),
  "tmf921",
);
const BASE = "/tmf-api/intentManagement/v5/intent";

type Schema = Record<string, unknown>;

/**
 * The bundle's schemas with each OpenAPI `discriminator.mapping` made JSON Schema: the base becomes its own
 * content (`X__core`) plus an `if @type = T then T's schema` per mapped sub-type, and a sub-type's `allOf`
 * naming the base names its content, so the two never refer to each other in a loop. A `oneOf` told apart by
 * the discriminator becomes `anyOf` (an IntentRef is also a valid Intent, which has no required property:
 * `@type` says which it is).
 */
function withMappings(defs: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = structuredClone(defs);
  const refTo = (name: string) => `#/components/schemas/${name}`;
  const mapped = (name: string) =>
    Object.entries(
      (defs[name]!["discriminator"] as { mapping?: Record<string, string> } | undefined)?.mapping ?? {},
    )
      .map(([type, ref]) => [type, ref.split("/").pop()!] as const)
      .filter(([, target]) => target !== name);
  const bases = Object.keys(defs).filter((n) => mapped(n).length);
  for (const base of bases)
    for (const [, sub] of mapped(base))
      for (const part of (out[sub]!["allOf"] as Schema[] | undefined) ?? [])
        if (part["$ref"] === refTo(base)) part["$ref"] = refTo(`${base}__core`);
  for (const base of bases) {
    const { discriminator: _, oneOf, ...rest } = out[base]!;
    // "One of these, told apart by @type": the dispatch below picks the one; any of them holds the rest.
    const core = oneOf ? { ...rest, anyOf: oneOf } : rest;
    out[`${base}__core`] = core;
    out[base] = {
      allOf: [
        { $ref: refTo(`${base}__core`) },
        ...mapped(base).map(([type, sub]) => ({
          if: { properties: { "@type": { const: type } }, required: ["@type"] },
          then: { $ref: refTo(sub) },
        })),
      ],
    };
  }
  return out;
}

const present = existsSync(join(PEERS, "Intent.schema.json"));
if (!present) {
  const why = `TMF921 conformance NOT RUN: TM Forum's schemas are not at ${PEERS} (set NEPHORAN_PEERS to the peers folder)`;
  if (process.env["CI"]) throw new Error(why);
  console.warn(`\n*** ${why} ***\n`);
}

let validate: (name: string, value: unknown) => string[];
if (present) {
  const bundle = JSON.parse(readFileSync(join(PEERS, "Intent.schema.json"), "utf8")) as {
    components: { schemas: Record<string, Schema> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(
    { $id: "tmf921", components: { schemas: withMappings(bundle.components.schemas) } },
    "tmf921",
  );
  validate = (name, value) => {
    const v = ajv.getSchema(`tmf921#/components/schemas/${name}`)!;
    return v(value) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  };
}

/** The answer is the standard's `name` (an array of them for a list). */
function expectValid(name: string, value: unknown): void {
  const items = Array.isArray(value) ? value : [value];
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) expect(validate(name, item), JSON.stringify(item)).toEqual([]);
}

/** An error answer: the standard's `Error`, with the hub's code. */
function expectTmfError(r: { status: number; json: Record<string, unknown> }, status: number, code: string) {
  expectValid("Error", r.json);
  expect(r.json).toMatchObject({ "@type": "Error", code, status: String(status) });
  expect(r.json).not.toHaveProperty("error");
  expectError(r, status, code);
}

let t: TestHub;
beforeEach(async () => {
  t = await testHub();
  for (const s of ["edge01", "edge02"]) await t.enroll(s);
});
afterEach(async () => t.hub.stop());

/** A create as the standard has it (`Intent_FVO`), checked against the standard before it is sent. */
async function create(body: Record<string, unknown>) {
  expectValid("Intent_FVO", body);
  const r = await t.call("POST", BASE, { body });
  expect(r.status, r.text).toBe(201);
  expectValid("Intent", r.json);
  return r;
}

const textIntent = (text: string, name = "amf") => ({
  "@type": "Intent",
  name,
  expression: {
    "@type": "IntentExpression",
    iri: "urn:nephoran:intent:text",
    expressionLanguage: "en",
    expressionValue: text,
  },
});

describe.skipIf(!present)("TMF921 v5 intent resource", () => {
  it("creates with a Location, keeps the client's expression as given and puts the plan beside it", async () => {
    const body = { ...textIntent("Deploy AMF at edge01"), description: "Lab AMF", priority: "high" };
    const r = await create(body);
    const id = r.json["id"] as string;
    expect(r.headers.get("location")).toBe(`${BASE}/${id}`);
    expect(r.json).toMatchObject({
      href: `${BASE}/${id}`,
      name: "amf",
      description: "Lab AMF",
      priority: "high",
      version: "1",
      lifecycleStatus: "active",
      expression: body.expression,
    });
    expect(r.json["characteristic"]).toEqual([
      expect.objectContaining({
        "@type": "ObjectCharacteristic",
        name: "plan",
        value: expect.objectContaining({ intentType: "nf.deploy" }),
      }),
    ]);
    // A structured plan as the expression's value.
    const expression = {
      "@type": "IntentExpression",
      iri: "urn:nephoran:intent:upf",
      expressionValue: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "upf", replicas: 2 }] },
    };
    const byPlan = await create({
      "@type": "Intent",
      name: "upf",
      expression,
      siteSelector: { names: ["edge02"] },
    });
    expect(byPlan.json["expression"]).toEqual(expression);
  });

  it("lists with offset and limit, both counts, and fields= selection", async () => {
    for (const n of ["a", "b", "c"]) await create(textIntent("Deploy AMF at edge01", n));
    const page = await t.call("GET", `${BASE}?offset=1&limit=1`, { as: "viewer" });
    expect(page.status).toBe(200);
    expectValid("Intent", page.json);
    expect(page.headers.get("x-total-count")).toBe("3");
    expect(page.headers.get("x-result-count")).toBe("1");
    expect((page.json as unknown as { name: string }[]).map((i) => i.name)).toEqual(["b"]);
    const names = await t.call("GET", `${BASE}?fields=name`);
    expect(names.headers.get("x-result-count")).toBe("3");
    expectValid("Intent", names.json);
    for (const i of names.json as unknown as Record<string, unknown>[])
      expect(Object.keys(i).sort()).toEqual(["@type", "href", "id", "name"]);
    const past = await t.call("GET", `${BASE}?offset=5`);
    expect(past.json).toEqual([]);
    expect(past.headers.get("x-result-count")).toBe("0");
  });

  it("gets one intent, all of it or the fields asked for (unknown names ignored)", async () => {
    const id = (await create(textIntent("Deploy AMF at edge01"))).json["id"] as string;
    const all = await t.call("GET", `${BASE}/${id}`, { as: "viewer" });
    expectValid("Intent", all.json);
    expect(all.headers.get("etag")).toBe('"1"');
    const some = await t.call("GET", `${BASE}/${id}?fields=name,lifecycleStatus,nonsense`);
    expectValid("Intent", some.json);
    expect(some.json).toEqual({
      id,
      href: `${BASE}/${id}`,
      "@type": "Intent",
      name: "amf",
      lifecycleStatus: "active",
    });
  });

  it("changes an intent by JSON merge patch: a new revision, re-planned only when what it says changed", async () => {
    const created = await create({ ...textIntent("Deploy AMF at edge01"), description: "lab" });
    const id = created.json["id"] as string;
    const planOf = (r: { json: Record<string, unknown> }) =>
      (r.json["characteristic"] as { value: { actions: { replicas: number }[] } }[])[0]!.value;

    const described = { "@type": "Intent", description: "the interop lab's AMF" };
    expectValid("Intent_MVO", described);
    const d = await t.call("PATCH", `${BASE}/${id}`, {
      body: described,
      headers: { "content-type": "application/merge-patch+json" },
    });
    expect(d.status, d.text).toBe(200);
    expectValid("Intent", d.json);
    expect(d.json).toMatchObject({ version: "2", description: "the interop lab's AMF" });
    expect(d.headers.get("etag")).toBe('"2"');
    expect(planOf(d)).toEqual(planOf(created));

    // A nested change merges into the expression: its @type, iri and language stay.
    const said = {
      "@type": "Intent",
      expression: { "@type": "IntentExpression", expressionValue: "Deploy AMF with 3 replicas at edge01" },
    };
    expectValid("Intent_MVO", said);
    const s = await t.call("PATCH", `${BASE}/${id}`, { body: said, headers: { "if-match": '"2"' } });
    expect(s.status, s.text).toBe(200);
    expectValid("Intent", s.json);
    expect(s.json["expression"]).toEqual({
      ...textIntent("").expression,
      expressionValue: said.expression.expressionValue,
    });
    expect(planOf(s).actions[0]!.replicas).toBe(3);
    expect((await t.hub.deps.store.intents.get(id))?.text).toBe("Deploy AMF with 3 replicas at edge01");

    // null removes the description; the revision history is kept.
    const removed = await t.call("PATCH", `${BASE}/${id}`, { body: { description: null } });
    expect(removed.status).toBe(200);
    expect(removed.json).not.toHaveProperty("description");
    expect((await t.call("GET", `/v1/intents/${id}/revisions`)).json["items"]).toHaveLength(4);
  });

  it("refuses a patch it cannot apply, in the standard's Error shape", async () => {
    const id = (await create(textIntent("Deploy AMF at edge01"))).json["id"] as string;
    const patch = (body: unknown, headers: Record<string, string> = {}, as?: string) =>
      t.call("PATCH", `${BASE}/${id}`, { body, headers, ...(as ? { as } : {}) });
    expectTmfError(await patch({ name: "x" }, { "if-match": '"7"' }), 409, "STALE_REVISION");
    expectTmfError(await patch({ version: "9" }), 400, "VALIDATION_FAILED");
    expectTmfError(await patch({ name: null }), 400, "VALIDATION_FAILED");
    expectTmfError(await patch({ priority: "soonish" }), 400, "VALIDATION_FAILED");
    expectTmfError(
      await patch([{ op: "replace", path: "/name", value: "x" }], {
        "content-type": "application/json-patch+json",
      }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectTmfError(
      await patch({ expression: { expressionValue: "Deploy UPF with hostNetwork at edge01" } }),
      422,
      "PLAN_REFUSED",
    );
    expectTmfError(await patch({ name: "y" }, {}, "viewer"), 403, "FORBIDDEN");
    expectTmfError(await t.call("PATCH", `${BASE}/int-nope`, { body: { name: "y" } }), 404, "NOT_FOUND");
    expect((await t.call("GET", `${BASE}/${id}`)).json["version"]).toBe("1");
  });

  it("deletes: 202 while the sites remove it (and when asked again), gone once they have", async () => {
    const id = (await create(textIntent("Deploy AMF at edge01"))).json["id"] as string;
    expect((await t.call("DELETE", `${BASE}/${id}`)).status).toBe(202);
    const terminating = await t.call("GET", `${BASE}/${id}`);
    expectValid("Intent", terminating.json);
    expect(terminating.json["lifecycleStatus"]).toBe("terminating");
    expect((await t.call("DELETE", `${BASE}/${id}`)).status).toBe(202);
    // edge01 acknowledges its removal.
    const version = (await t.hub.deps.store.sites.get("edge01"))!.desiredVersion;
    await t.hub.deps.store.reports.record({ seen: [], acks: [{ site: "edge01", version }], reports: [] });
    expectTmfError(await t.call("GET", `${BASE}/${id}`), 404, "NOT_FOUND");
    expectTmfError(await t.call("DELETE", `${BASE}/${id}`), 404, "NOT_FOUND");

    // An intent no site holds is gone at once: 204.
    const none = await create({ ...textIntent("Deploy AMF at edge09"), allowUnknownSites: true });
    expect((await t.call("DELETE", `${BASE}/${String(none.json["id"])}`)).status).toBe(204);
    expectTmfError(await t.call("GET", `${BASE}/${String(none.json["id"])}`), 404, "NOT_FOUND");
  });

  it("answers every error in the standard's Error shape", async () => {
    expectTmfError(await t.call("GET", BASE, { as: null }), 401, "UNAUTHENTICATED");
    expectTmfError(await t.call("GET", BASE, { as: "not-a-token" }), 401, "UNAUTHENTICATED");
    expectTmfError(
      await t.call("POST", BASE, { as: "viewer", body: textIntent("Deploy AMF") }),
      403,
      "FORBIDDEN",
    );
    expectTmfError(await t.call("GET", `${BASE}/int-nope`), 404, "NOT_FOUND");
    expectTmfError(await t.call("POST", BASE, { body: { name: "x" } }), 400, "VALIDATION_FAILED");
    expectTmfError(await t.call("GET", `${BASE}?limit=0`), 400, "VALIDATION_FAILED");
    expectTmfError(await t.call("POST", BASE, { raw: "{nope" }), 400, "BAD_REQUEST");
    expectTmfError(
      await t.call("POST", BASE, { raw: "name=x", headers: { "content-type": "text/plain" } }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectTmfError(
      await t.call("POST", BASE, { body: textIntent("Deploy UPF with hostNetwork at edge01") }),
      422,
      "PLAN_REFUSED",
    );
    expectTmfError(await t.call("PUT", `${BASE}/int-x`, { body: {} }), 405, "METHOD_NOT_ALLOWED");
    expectTmfError(await t.call("GET", "/tmf-api/intentManagement/v5/nothing"), 404, "NOT_FOUND");
    // /v1 keeps the hub's own shape.
    expectError(await t.call("GET", "/v1/intents/int-nope"), 404, "NOT_FOUND");
    expect((await t.call("GET", "/v1/intents/int-nope")).json).not.toHaveProperty("@type");
  });

  it("follows a staged rollout in lifecycleStatus: inProgress, suspended", async () => {
    const r = await t.call("POST", "/v1/intents", {
      body: {
        plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "amf", replicas: 1 }] },
        siteSelector: { all: true },
        rollout: { canary: 1 },
      },
    });
    expect(r.status, r.text).toBe(201);
    const id = r.json["id"] as string;
    const status = async () =>
      (await t.call("GET", `${BASE}/${id}?fields=lifecycleStatus`)).json["lifecycleStatus"];
    expect(await status()).toBe("inProgress");
    expect((await t.call("POST", `/v1/intents/${id}/rollout/pause`)).status).toBe(200);
    expect(await status()).toBe("suspended");
    // Made through /v1, it reads back with its plan as the expression.
    expectValid("Intent", (await t.call("GET", `${BASE}/${id}`)).json);
  });

  it("is declared in the served OpenAPI document as the standard has it", async () => {
    const doc = (await t.call("GET", "/openapi.json")).json as {
      paths: Record<
        string,
        Record<
          string,
          {
            operationId?: string;
            parameters?: { name: string }[];
            responses: Record<string, unknown>;
            requestBody?: { content: Record<string, unknown> };
          }
        >
      >;
    };
    const one = doc.paths[`${BASE}/{id}`]!;
    expect(Object.keys(one).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(one["patch"]!.requestBody!.content).sort()).toEqual([
      "application/json",
      "application/merge-patch+json",
    ]);
    expect(Object.keys(one["delete"]!.responses)).toEqual(expect.arrayContaining(["202", "204"]));
    expect(one["get"]!.parameters?.map((p) => p.name)).toContain("fields");
    // The standard's operation ids.
    const ids = [...Object.values(one), ...Object.values(doc.paths[BASE]!)]
      .map((op) => op.operationId)
      .sort();
    expect(ids).toEqual(["createIntent", "deleteIntent", "listIntent", "patchIntent", "retrieveIntent"]);
    const list = doc.paths[BASE]!["get"]!;
    expect(JSON.stringify(list.responses["200"])).toContain("X-Result-Count");
    for (const op of [...Object.values(one), ...Object.values(doc.paths[BASE]!)])
      expect(JSON.stringify(op.responses["401"])).toContain("#/components/schemas/Error");
  });
});

describe.skipIf(!present)("TMF921 v5 intent reports and notifications", () => {
  const plan = {
    intentType: "nf.deploy",
    actions: [{ kind: "deploy", nf: "upf", replicas: 1 }],
    expectations: [{ target: "latency_ms", condition: "IS_LESS_THAN", value: 10 }],
  };
  let seq = 0;
  const said = (id: string, site: string, state: "Fulfilled" | "NotFulfilled", measured: number) => {
    const at = new Date(t.now.getTime() + ++seq).toISOString();
    return {
      siteId: site,
      intentId: id,
      revision: 1,
      phase: "Ready",
      conditions: [],
      nfStatus: [],
      observedAt: at,
      reportSeq: seq,
      expectations: [
        {
          index: 0,
          target: "latency_ms",
          condition: "IS_LESS_THAN",
          value: 10,
          nf: "upf",
          state,
          measured,
          since: at,
          at,
        },
      ],
    } satisfies SiteIntentReport;
  };
  /** Sites report; the hub takes them in as it does what sync commits. */
  const report = async (...rs: SiteIntentReport[]) => {
    await t.hub.deps.store.reports.put(rs);
    await onReports(t.hub.deps, rs);
  };
  const intent = async () => {
    const r = await t.call("POST", "/v1/intents", { body: { plan, siteSelector: { all: true } } });
    expect(r.status, r.text).toBe(201);
    return r.json["id"] as string;
  };

  it("keeps a report each time the intent's state across its sites changes, newest first", async () => {
    const id = await intent();
    await report(said(id, "edge01", "NotFulfilled", 49.7), said(id, "edge02", "Fulfilled", 3));
    await report(said(id, "edge01", "NotFulfilled", 52)); // the same state: no new report
    await report(said(id, "edge01", "Fulfilled", 4));
    const list = await t.call("GET", `${BASE}/${id}/intentReport`, { as: "viewer" });
    expect(list.status).toBe(200);
    expectValid("IntentReport", list.json);
    expect(list.headers.get("x-total-count")).toBe("2");
    expect(list.headers.get("x-result-count")).toBe("2");
    const [now, before] = list.json as unknown as Record<string, unknown>[];
    expect(now).toMatchObject({ "@type": "IntentReport", intent: { "@type": "IntentRef", id } });
    expect(now?.["description"]).toMatch(/^Fulfilled across the sites \(2 Fulfilled\)$/);
    expect(before?.["description"]).toMatch(
      /^NotFulfilled .*1 NotFulfilled, 1 Fulfilled.*edge01 latency_ms 49.7 \(expected < 10\)/,
    );
    const one = await t.call(
      "GET",
      `${BASE}/${id}/intentReport/${String(before?.["id"])}?fields=description`,
    );
    expectValid("IntentReport", one.json);
    expect(Object.keys(one.json).sort()).toEqual(["@type", "description", "href", "id"]);
    const page = await t.call("GET", `${BASE}/${id}/intentReport?offset=1&limit=1&fields=name`);
    expect(page.headers.get("x-result-count")).toBe("1");
    expectTmfError(await t.call("GET", `${BASE}/${id}/intentReport/irp-nope`), 404, "NOT_FOUND");
    expectTmfError(await t.call("GET", `${BASE}/int-nope/intentReport`), 404, "NOT_FOUND");
    expectTmfError(await t.call("GET", `${BASE}/${id}/intentReport`, { as: null }), 401, "UNAUTHENTICATED");
  });

  it("registers and unregisters listeners, in the standard's shapes", async () => {
    const body = {
      "@type": "Hub",
      callback: "http://127.0.0.1:9/listener",
      query: "eventType=IntentReportCreateEvent",
    };
    expectValid("Hub_FVO", body);
    const r = await t.call("POST", "/tmf-api/intentManagement/v5/hub", { as: "operator", body });
    expect(r.status, r.text).toBe(201);
    expectValid("Hub", r.json);
    expect(r.json).toMatchObject({ ...body, secret: expect.stringMatching(/^nhs_/) });
    expect(r.headers.get("location")).toBe(`/tmf-api/intentManagement/v5/hub/${String(r.json["id"])}`);
    expectTmfError(
      await t.call("POST", "/tmf-api/intentManagement/v5/hub", { body: { callback: "file:///etc/passwd" } }),
      400,
      "VALIDATION_FAILED",
    );
    expectTmfError(
      await t.call("POST", "/tmf-api/intentManagement/v5/hub", { as: "viewer", body }),
      403,
      "FORBIDDEN",
    );
    expect((await t.call("DELETE", `/tmf-api/intentManagement/v5/hub/${String(r.json["id"])}`)).status).toBe(
      204,
    );
    expectTmfError(
      await t.call("DELETE", `/tmf-api/intentManagement/v5/hub/${String(r.json["id"])}`),
      404,
      "NOT_FOUND",
    );
  });

  it("notifies listeners, signed, retrying a receiver that fails, with only the events their query takes", async () => {
    const got: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
    let failures = 1;
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (failures-- > 0) return void res.writeHead(503).end();
        got.push({ body, headers: req.headers });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const notifier = new Notifier(t.hub.deps, {
      attempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 5,
      timeoutMs: 2_000,
    });
    notifier.start();
    try {
      const all = await t.call("POST", "/tmf-api/intentManagement/v5/hub", {
        body: { callback: `${url}/all` },
      });
      await t.call("POST", "/tmf-api/intentManagement/v5/hub", {
        body: { callback: `${url}/status`, query: "eventType=IntentStatusChangeEvent" },
      });
      const id = await intent();
      await report(said(id, "edge01", "NotFulfilled", 49.7));
      const deadline = Date.now() + 5_000;
      // Until the receiver has them and the notifier has its answers (a stop cuts a delivery in flight).
      while ((got.length < 3 || notifier.stats.delivered < 3) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await notifier.stop();
      const events = got.map((g) => ({ ...g, json: JSON.parse(g.body) as Record<string, unknown> }));
      const types = events.map((e) => `${String(e.json["eventType"])}`).sort();
      // The intent's creation reaches both; its report only the listener that takes every event.
      expect(types).toEqual([
        "IntentReportCreateEvent",
        "IntentStatusChangeEvent",
        "IntentStatusChangeEvent",
      ]);
      for (const e of events) {
        expectValid(String(e.json["eventType"]), e.json);
        const ts = e.headers["x-nephoran-timestamp"] as string;
        expect(e.headers["x-nephoran-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(ts).toMatch(/^\d+$/);
      }
      const report0 = events.find((e) => e.json["eventType"] === "IntentReportCreateEvent");
      expect(report0?.headers["x-nephoran-signature"]).toBe(
        signature(
          all.json["secret"] as string,
          report0?.headers["x-nephoran-timestamp"] as string,
          report0?.body as string,
        ),
      );
      expect(
        (report0?.json["event"] as { intentReport: { intent: { id: string } } }).intentReport.intent.id,
      ).toBe(id);
      expect(notifier.stats).toMatchObject({ delivered: 3, failed: 0 });
    } finally {
      await notifier.stop();
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});
