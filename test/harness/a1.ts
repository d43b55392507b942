/**
 * A near-RT RIC's A1 mediator for the tests, held to its contract: the O-RAN SC A1 mediator's OpenAPI
 * document (`../shared/peers/a1/`). Every request is checked against the document — path, method, path
 * parameters, body — and one the document does not allow is recorded in `violations` (a suite asserts there
 * are none). It answers as the mediator does: policy type 20008 (traffic steering, `{ "threshold": int }`)
 * is registered, instances are kept, their status is ENFORCED (or what the test says). Errors and delays on
 * demand.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";

export const A1_DOC = resolve(
  process.env["NEPHORAN_PEERS"] ?? join(import.meta.dirname, "../../../shared/peers"),
  "a1/a1-mediator-openapi.yaml",
);

/** Why the A1 contract cannot be used here, or undefined when it can. */
export const a1ContractMissing = (): string | undefined =>
  existsSync(A1_DOC) ? undefined : `the A1 mediator's OpenAPI document is not at ${A1_DOC}`;

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const TRAFFIC_STEERING = {
  type: "object",
  properties: { threshold: { type: "integer" } },
  required: ["threshold"],
  additionalProperties: false,
};

export class A1Mediator {
  readonly violations: string[] = [];
  /** Every request as it came — method, path, body — and the status it was answered. */
  readonly requests: { method: string; path: string; body: unknown; status?: number }[] = [];
  readonly instances = new Map<string, unknown>();
  /** The status the RIC gives an instance. */
  enforce: "ENFORCED" | "NOT_ENFORCED" = "ENFORCED";
  /** The next `n` requests answer `status` (and are not acted on). */
  #failures = { n: 0, status: 503 };
  /** Each answer waits this long. */
  delayMs = 0;
  #server: Server | undefined;
  port = 0;
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #doc: Doc;
  readonly #routes: { re: RegExp; names: string[]; path: string }[];

  constructor() {
    this.#doc = parse(readFileSync(A1_DOC, "utf8")) as Doc;
    this.#routes = Object.keys(this.#doc.paths).map((path) => {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      return { re: new RegExp(`^${path.replace(/\{[^}]+\}/g, "([^/]+)")}$`), names, path };
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  failNext(n: number, status = 503): void {
    this.#failures = { n, status };
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => this.#server?.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
  }

  /** Whether the document allows the request; what it violates is recorded. */
  #check(
    method: string,
    path: string,
    query: URLSearchParams,
    body: string,
  ): Record<string, string> | undefined {
    const route = this.#routes.find((r) => r.re.test(path));
    const op = route && this.#doc.paths[route.path]?.[method.toLowerCase()];
    if (!route || !op) {
      this.violations.push(`${method} ${path}: no such operation in the A1 document`);
      return undefined;
    }
    const values = route.re.exec(path)?.slice(1) ?? [];
    const params = Object.fromEntries(
      route.names.map((n, i) => [n, decodeURIComponent(values[i] as string)]),
    );
    for (const p of op.parameters ?? []) {
      const raw = p.in === "path" ? params[p.name] : p.in === "query" ? query.get(p.name) : undefined;
      if (raw === undefined || raw === null) {
        if (p.required) this.violations.push(`${method} ${path}: ${p.name} is required`);
        continue;
      }
      const typed = (p.schema as { type?: string }).type === "integer" ? Number(raw) : raw;
      if (!this.#ajv.validate(p.schema, typed))
        this.violations.push(`${method} ${path}: ${p.name} ${this.#ajv.errorsText()}`);
    }
    for (const k of query.keys())
      if (!(op.parameters ?? []).some((p) => p.in === "query" && p.name === k))
        this.violations.push(`${method} ${path}: unknown query parameter ${k}`);
    if (body) {
      const schema = op.requestBody?.content["application/json"]?.schema;
      if (!schema) this.violations.push(`${method} ${path}: the operation takes no body`);
      else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          this.violations.push(`${method} ${path}: the body is not JSON`);
        }
        if (parsed !== undefined && !this.#ajv.validate(schema, parsed))
          this.violations.push(`${method} ${path}: body ${this.#ajv.errorsText()}`);
      }
    }
    return params;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of req) body += (chunk as Buffer).toString();
    const url = new URL(req.url ?? "/", "http://a1");
    const method = req.method ?? "GET";
    const seen: (typeof this.requests)[number] = {
      method,
      path: url.pathname,
      body: body ? (JSON.parse(body) as unknown) : undefined,
    };
    this.requests.push(seen);
    const params = this.#check(method, url.pathname, url.searchParams, body);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const answer = (status: number, json?: unknown) => {
      seen.status = status;
      res.writeHead(status, json === undefined ? {} : { "content-type": "application/json" });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    };
    if (!params) return answer(404);
    if (this.#failures.n > 0) {
      this.#failures.n--;
      return answer(this.#failures.status);
    }
    const type = Number(params["policy_type_id"]);
    const key = `${type}/${params["policy_instance_id"]}`;
    if (url.pathname === "/a1-p/healthcheck") return answer(200);
    if (type !== 20008) return answer(404);
    if (url.pathname.endsWith("/status"))
      return this.instances.has(key) ? answer(200, { enforceStatus: this.enforce }) : answer(404);
    if (method === "PUT") {
      const instance = JSON.parse(body || "{}") as unknown;
      if (!this.#ajv.validate(TRAFFIC_STEERING, instance)) return answer(400);
      this.instances.set(key, instance);
      return answer(202);
    }
    if (method === "DELETE") return this.instances.delete(key) ? answer(202) : answer(404);
    if (method === "GET") return this.instances.has(key) ? answer(200, this.instances.get(key)) : answer(404);
    return answer(405);
  }
}
