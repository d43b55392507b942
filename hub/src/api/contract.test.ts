/**
 * The OpenAPI document is the contract: every route it lists is called — anonymous, as a viewer, as an
 * admin with a plausible body, with a broken body, a wrong content type, an over-long id, a forged cursor —
 * and every answer's status must be one the document declares for that operation, its JSON body must
 * match the declared schema, and declared response headers must be sent. A method a path does not take
 * answers 405.
 */
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestHub } from "./testing";
import { testHub } from "./testing";

interface Operation {
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema?: unknown }> }
  >;
  requestBody?: unknown;
  parameters?: { name: string; in: string }[];
}
type Doc = { paths: Record<string, Record<string, Operation>> };

let h: TestHub;
let doc: Doc;
let ajv: InstanceType<typeof Ajv2020>;
const problems: string[] = [];

/** Plausible bodies per operation, so the happy paths are walked too. */
const bodies: Record<string, unknown> = {
  "post /v1/intents": { text: "Deploy AMF at edge01" },
  "post /v1/plan": { text: "Deploy 2 AMF and 3 SMF at edge01" },
  "patch /v1/intents/{id}": { priority: "high" },
  "patch /v1/sites/{id}": { labels: { region: "eu" } },
  "post /v1/enrollment-tokens": { site: "edge02" },
  "post /v1/enroll": { token: "npe_not-a-real-token-000000" },
  "post /v1/tokens": { name: "contract", role: "viewer" },
  "post /tmf-api/intentManagement/v5/intent": { name: "amf", description: "Deploy AMF at edge01" },
};

function check(
  method: string,
  path: string,
  op: Operation,
  what: string,
  r: Awaited<ReturnType<TestHub["call"]>>,
) {
  const declared = op.responses[String(r.status)] ?? op.responses["default"];
  if (!declared) {
    problems.push(
      `${method.toUpperCase()} ${path} (${what}): ${r.status} is not declared (${Object.keys(op.responses).join(", ")}) — ${r.text.slice(0, 160)}`,
    );
    return;
  }
  const schema = declared.content?.["application/json"]?.schema;
  if (schema && r.headers.get("content-type")?.includes("json")) {
    const validate = ajv.compile({
      $ref: `openapi.json#/paths/${path.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}/responses/${r.status}/content/application~1json/schema`,
    });
    if (!validate(r.json))
      problems.push(
        `${method.toUpperCase()} ${path} (${what}): ${r.status} body breaks its schema: ${ajv.errorsText(validate.errors)}`,
      );
  }
  for (const header of Object.keys(declared.headers ?? {}))
    if (r.status < 300 && !r.headers.get(header))
      problems.push(`${method.toUpperCase()} ${path} (${what}): header ${header} missing`);
}

beforeAll(async () => {
  h = await testHub({ sync: { transport: "none" } });
  doc = (await h.call("GET", "/openapi.json", { as: null })).json as unknown as Doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, "openapi.json");
  await h.enroll("edge01", { region: "eu" });
});

describe("the OpenAPI document is the contract", () => {
  it("answers every documented operation only as documented", async () => {
    const created = await h.call("POST", "/v1/intents", { body: { text: "Deploy AMF at edge01" } });
    const intentId = created.json["id"] as string;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const id = path.includes("/sites/")
          ? "edge01"
          : path.includes("/tokens/")
            ? "tok-nosuchtoken00"
            : intentId;
        const url = path.replace("{id}", id);
        const M = method.toUpperCase();
        const body = bodies[`${method} ${path}`] ?? {};
        const hasBody = op.requestBody !== undefined;
        const ifMatch: Record<string, string> =
          path === "/v1/intents/{id}" && method === "patch" ? { "if-match": '"1"' } : {};
        const calls: [string, Parameters<TestHub["call"]>[2]][] = [
          ["anonymous", { as: null, ...(hasBody ? { body } : {}) }],
          ["viewer", { as: "viewer", ...(hasBody ? { body } : {}) }],
          ["admin", { ...(hasBody ? { body } : {}), headers: ifMatch }],
        ];
        if (hasBody) {
          calls.push(["broken JSON", { raw: "{nope", headers: ifMatch }]);
          calls.push(["schema-breaking body", { body: { unexpected: [1, 2, 3] }, headers: ifMatch }]);
          calls.push([
            "text/plain",
            { raw: JSON.stringify(body), headers: { "content-type": "text/plain", ...ifMatch } },
          ]);
        }
        if (op.responses["200"]?.content?.["text/event-stream"]) {
          // A stream never ends: its status and type are checked, then it is dropped.
          check(method, path, op, "anonymous", await h.call(M, url, { as: null }));
          const ctrl = new AbortController();
          const res = await h.hub.app.request(url, {
            headers: { authorization: `Bearer ${h.tokens["viewer"] as string}` },
            signal: ctrl.signal,
          });
          if (res.status !== 200 || !res.headers.get("content-type")?.includes("text/event-stream"))
            problems.push(`${M} ${path} (viewer): ${res.status} ${res.headers.get("content-type") ?? ""}`);
          ctrl.abort();
          await res.body?.cancel().catch(() => undefined);
          continue;
        }
        for (const [what, opts] of calls) check(method, path, op, what, await h.call(M, url, opts));
        if (path.includes("{id}"))
          check(
            method,
            path,
            op,
            "over-long id",
            await h.call(M, path.replace("{id}", "x".repeat(300)), {
              ...(hasBody ? { body } : {}),
              headers: ifMatch,
            }),
          );
        if (method === "get" && (op.parameters ?? []).some((p) => p.name === "cursor"))
          check(method, path, op, "forged cursor", await h.call(M, `${url}?cursor=Zm9yZ2Vk`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("answers 405 with Allow for a method a documented path does not take (PUT here; TRACE over HTTP)", async () => {
    for (const path of ["/v1/intents", "/v1/sites/edge01", "/v1/tokens"]) {
      const r = await h.call("PUT", path);
      expect(r.status, path).toBe(405);
      expect(r.headers.get("allow")).toMatch(/GET/);
      expect(r.json.error?.code).toBe("METHOD_NOT_ALLOWED");
    }
    expect((await h.call("GET", "/v1/nothing-here")).status).toBe(404);
  });

  it("refuses a lone surrogate instead of storing it lossily", async () => {
    const r = await h.call("POST", "/v1/intents", { raw: '{"text":"Deploy AMF at edge01 \\ud800"}' });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toMatch(/Unicode/);
  });
});
