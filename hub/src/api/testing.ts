/** A hub for in-process API tests: fresh store, a fake clock, tokens per role, and request helpers. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { pino } from "pino";
import type { Clock } from "@nephoran/shared";
import type { Hub } from "../hub";
import { createHub } from "../hub";
import type { HubConfigInput } from "../config";
import { HubConfig } from "../config";
import { hashToken, newId } from "../auth/tokens";

export const ADMIN = "admin-token-for-tests-0123456789";

export type Json = Record<string, unknown> & {
  error?: { code: string; message: string; requestId: string };
  [k: string]: unknown;
};

export interface CallOptions {
  /** A role name, a raw token, or null for none; admin by default. */
  as?: string | null;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export interface TestHub {
  readonly hub: Hub;
  readonly tokens: Record<string, string>;
  /** The fake clock's time; set it to move time. */
  now: Date;
  call(
    method: string,
    path: string,
    opts?: CallOptions,
  ): Promise<{ status: number; json: Json; headers: Headers; text: string }>;
  /** Issues a token and spends it; returns the site's credential. */
  enroll(site: string, labels?: Record<string, string>): Promise<string>;
  /** Issues enrollment tokens for sites that have not enrolled yet: the hub then expects them. */
  expectSites(...sites: string[]): Promise<void>;
}

export async function testHub(config: Partial<HubConfigInput> = {}): Promise<TestHub> {
  const t = { now: new Date("2026-11-22T10:00:00Z") } as TestHub & { now: Date };
  const clock: Clock = { now: () => t.now, sleep: async () => {} };
  const hub = await createHub(
    HubConfig.parse({
      dataDir: mkdtempSync(join(tmpdir(), "nephoran-hub-")),
      adminToken: ADMIN,
      port: 0,
      sync: { transport: "embedded", port: 0 },
      ...config,
    }),
    { clock, logger: pino({ level: "silent" }) },
  );
  const tokens: Record<string, string> = { admin: ADMIN };
  for (const role of ["viewer", "operator"] as const) {
    tokens[role] = `test-${role}-token-${Math.random()}`;
    await hub.deps.store.tokens.add({ id: newId("tok"), name: role, role, hash: hashToken(tokens[role]) });
  }
  const call: TestHub["call"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const who = opts.as === undefined ? "admin" : opts.as;
    if (who) headers["authorization"] = `Bearer ${tokens[who] ?? who}`;
    if ((opts.body !== undefined || opts.raw !== undefined) && !headers["content-type"])
      headers["content-type"] = "application/json";
    const res = await hub.app.request(path, {
      method,
      headers,
      ...(opts.raw !== undefined
        ? { body: opts.raw }
        : opts.body !== undefined
          ? { body: JSON.stringify(opts.body) }
          : {}),
    });
    const text = await res.text();
    const json = (text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {}) as Json;
    return { status: res.status, json, headers: res.headers, text };
  };
  const enroll: TestHub["enroll"] = async (site, labels = {}) => {
    const tok = await call("POST", "/v1/enrollment-tokens", { body: { site, labels } });
    expect(tok.status).toBe(201);
    const e = await call("POST", "/v1/enroll", {
      as: null,
      body: { token: tok.json["token"], agentVersion: "0.1.0" },
    });
    expect(e.status).toBe(201);
    return e.json["credential"] as string;
  };
  const expectSites: TestHub["expectSites"] = async (...sites) => {
    for (const site of sites)
      expect((await call("POST", "/v1/enrollment-tokens", { body: { site } })).status).toBe(201);
  };
  return Object.assign(t, { hub, tokens, call, enroll, expectSites });
}

/** An error answer: the hub's `{ error }`, or on TMF921's routes the standard's `Error` with the same facts. */
export function expectError(r: { status: number; json: Json }, status: number, code: string): void {
  expect(r.status).toBe(status);
  const e =
    r.json["@type"] === "Error"
      ? { code: r.json["code"], message: r.json["reason"] as string, requestId: r.json["requestId"] }
      : r.json.error;
  expect(e?.code).toBe(code);
  expect(e?.message.length).toBeGreaterThan(5);
  expect(e?.requestId).toBeTruthy();
}
