/**
 * Hub replicas as an operator runs them: `nephoran hub --store postgres://…` processes with the password in
 * PGPASSWORD, and calls to their API as the admin.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";
import type { Child } from "./process";
import { spawnProduct } from "./process";

export interface Replica {
  readonly url: string;
  readonly child: Child;
}

export type Json = Record<string, unknown> & { error?: { code: string; message: string } };

/** A hub process on the database at `storeUrl`; `args` adds flags (--config, --sync none …). */
export async function startReplica(
  storeUrl: string,
  env: { readonly admin: string; readonly password: string } & Record<string, string>,
  args: readonly string[] = [],
): Promise<Replica> {
  const port = await freePort();
  const { admin, password, ...rest } = env;
  const child = spawnProduct(
    [
      "hub",
      "--port",
      String(port),
      "--data",
      mkdtempSync(join(tmpdir(), "nephoran-replica-")),
      "--store",
      storeUrl,
      ...args,
    ],
    { NEPHORAN_ADMIN_TOKEN: admin, PGPASSWORD: password, ...rest },
  );
  await child.waitFor("nephoran hub: listening", 60_000);
  return { url: `http://127.0.0.1:${port}`, child };
}

/** One call to a replica's API with the admin token (unless `headers` says otherwise). */
export async function callReplica(
  r: Replica,
  admin: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Json };
}
