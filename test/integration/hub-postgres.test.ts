/**
 * The hub on PostgreSQL, as an operator runs it: `nephoran hub --store postgres://…` with the password in
 * PGPASSWORD, two replicas on one database — any replica answers and streams the other's changes, races are
 * won once — and a database that goes down: /readyz and the API answer 503, and the hub recovers by itself
 * when it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "../harness/agent";
import { Postgres, postgresMissing } from "../harness/postgres";
import { spawnProduct } from "../harness/process";
import type { Replica } from "../harness/replicas";
import { callReplica, startReplica } from "../harness/replicas";
import { skippedFor } from "../harness/skip";

const ADMIN = "pg-suite-admin-token-0123456789abcdef";
const missing = postgresMissing();
skippedFor(missing, "the hub-on-PostgreSQL suite is");

const call = (r: Replica, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  callReplica(r, ADMIN, method, path, body, headers);

/** A replica's /v1/events, read as it comes: `next(type)` is the data of the next event of that type. */
function events(r: Replica): { next(type: string, ms?: number): Promise<string>; close(): void } {
  const abort = new AbortController();
  const response = fetch(`${r.url}/v1/events`, {
    headers: { authorization: `Bearer ${ADMIN}` },
    signal: abort.signal,
  });
  let buffer = "";
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const dec = new TextDecoder();
  return {
    async next(type, ms = 10_000) {
      const end = Date.now() + ms;
      reader ??= (await response).body?.getReader();
      for (;;) {
        const at = buffer.indexOf(`event: ${type}\n`);
        const done = at >= 0 ? buffer.indexOf("\n\n", at) : -1;
        if (done >= 0) {
          const block = buffer.slice(at, done);
          buffer = buffer.slice(done + 2);
          return /^data: (.*)$/m.exec(block)?.[1] ?? "";
        }
        if (Date.now() > end || !reader) throw new Error(`no ${type} event within ${ms} ms; got:\n${buffer}`);
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`the stream ended before a ${type} event; got:\n${buffer}`);
        buffer += dec.decode(chunk.value, { stream: true });
      }
    },
    close: () => abort.abort(),
  };
}

describe.skipIf(missing !== undefined)("hub on PostgreSQL", () => {
  let pg: Postgres;
  let storeUrl: string;
  const replicas: Replica[] = [];

  async function replica(): Promise<Replica> {
    const r = await startReplica(storeUrl, { admin: ADMIN, password: pg.password }, ["--sync", "none"]);
    replicas.push(r);
    return r;
  }

  beforeAll(async () => {
    pg = await Postgres.start();
    storeUrl = await pg.createDatabase();
  });
  afterAll(async () => {
    for (const r of replicas) {
      r.child.proc.kill("SIGTERM");
      await r.child.exited;
    }
    await pg?.stop();
  });

  it("serves any call from any replica, and wins each race once", async () => {
    // Two replicas starting together: the schema is migrated once, under the advisory lock.
    const [a, b] = await Promise.all([replica(), replica()]);
    if (!a || !b) throw new Error("replicas did not start");
    expect(a.child.output()).toContain("(PostgreSQL)");
    expect(a.child.output()).not.toContain(pg.password);

    // A change made on A is an event on B's stream.
    const stream = events(b);
    await stream.next("ready");
    const created = await call(a, "POST", "/v1/intents", {
      text: "Deploy 2 AMF at edge01",
      allowUnknownSites: true,
    });
    expect(created.status).toBe(201);
    const id = created.json["id"] as string;
    expect(JSON.parse(await stream.next("intent.created"))).toMatchObject({
      type: "intent.created",
      id,
      revision: 1,
    });
    stream.close();
    const onB = await call(b, "GET", `/v1/intents/${id}`);
    expect(onB.status).toBe(200);
    expect(onB.json).toMatchObject({ id, revision: 1 });

    // The same If-Match change sent to both replicas at once: exactly one lands.
    const patches = await Promise.all(
      [a, b].map((r, k) =>
        call(r, "PATCH", `/v1/intents/${id}`, { priority: k ? "high" : "low" }, { "if-match": '"1"' }),
      ),
    );
    expect(patches.map((p) => p.status).sort()).toEqual([200, 409]);
    expect((await call(b, "GET", `/v1/intents/${id}`)).json["revision"]).toBe(2);

    // One enrollment token spent on both replicas at once: exactly one site credential.
    const token = (await call(a, "POST", "/v1/enrollment-tokens", { site: "edge01" })).json["token"];
    const spent = await Promise.all(
      [a, b].map((r) =>
        call(r, "POST", "/v1/enroll", { token, agentVersion: "0.1.0" }, { authorization: "" }),
      ),
    );
    expect(spent.map((s) => s.status).sort()).toEqual([201, 401]);
    // The site is known on both now: an intent naming it needs no flag on either.
    expect((await call(b, "POST", "/v1/intents", { text: "Deploy SMF at edge01" })).status).toBe(201);
  });

  it("answers 503 while the database is down, and recovers without a restart", async () => {
    const a = replicas[0] ?? (await replica());
    expect((await call(a, "GET", "/readyz")).status).toBe(200);
    await pg.stop();
    const ready = await call(a, "GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ status: "not ready", checks: { store: false } });
    const list = await call(a, "GET", "/v1/intents");
    expect(list.status).toBe(503);
    expect(list.json.error?.code).toBe("UNAVAILABLE");
    expect(list.json.error?.message).toMatch(/database cannot be reached/);
    expect(list.json.error?.message).not.toContain(pg.password);
    await pg.resume();
    await eventually(async () => (await call(a, "GET", "/readyz")).status === 200, 20_000);
    const back = await call(a, "GET", "/v1/intents");
    expect(back.status).toBe(200);
    expect((back.json["items"] as unknown[]).length).toBe(2);
    expect(a.child.proc.exitCode).toBeNull();
  });

  it("refuses a password on the command line, and says so when the database refuses the login", async () => {
    const inUrl = spawnProduct(
      ["hub", "--port", "0", "--store", storeUrl.replace("nephoran@", "nephoran:secret@")],
      {
        NEPHORAN_ADMIN_TOKEN: ADMIN,
      },
    );
    expect((await inUrl.exited).code).toBe(2);
    expect(inUrl.output()).toMatch(/leave the password out of the URL/);
    expect(inUrl.output()).not.toContain("secret");

    const wrong = spawnProduct(
      [
        "hub",
        "--port",
        "0",
        "--sync",
        "none",
        "--data",
        mkdtempSync(join(tmpdir(), "nephoran-hub-pg-")),
        "--store",
        storeUrl,
      ],
      { NEPHORAN_ADMIN_TOKEN: ADMIN, PGPASSWORD: "not-the-password" },
    );
    expect((await wrong.exited).code).not.toBe(0);
    expect(wrong.output()).toMatch(/password authentication failed/);
    expect(wrong.output()).not.toContain("not-the-password");
  });
});
