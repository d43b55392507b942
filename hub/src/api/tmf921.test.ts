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
 * naming the base names its content, so the two never refer to each other in a loop.
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
    const { discriminator: _, ...core } = out[base]!;
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
