import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hashToken } from "../auth/tokens";
import type { HubStore } from "./contract";
import { openSqliteStore } from "./sqlite";

const opened: HubStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

function store(): HubStore {
  const s = openSqliteStore(join(mkdtempSync(join(tmpdir(), "nephoran-cache-")), "hub.db"));
  opened.push(s);
  return s;
}

/** Holds the store's writer (a transaction that waits) until the returned function is called. */
function holdWriter(s: HubStore): () => Promise<void> {
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const held = s.transaction(() => gate);
  return async () => {
    release();
    await held;
  };
}

describe("the store's caches of small tables", () => {
  it("does not keep a site directory read while an enrollment waited to be written", async () => {
    const s = store();
    await s.enrollment.issue({
      id: "e1",
      hash: hashToken("t1"),
      site: "edge-new",
      labels: { region: "eu" },
      expiresAt: "2999-01-01T00:00:00Z",
      createdBy: "test",
    });
    const release = holdWriter(s);
    const enrolling = s.enrollment.enroll(
      hashToken("t1"),
      new Date().toISOString(),
      hashToken("c1"),
      "0.1.0",
    );
    // Read while the enrollment waits for the writer: the site is not there yet.
    expect((await s.sites.directory()).names.has("edge-new")).toBe(false);
    await release();
    await enrolling;
    expect((await s.sites.directory()).names.has("edge-new")).toBe(true);
    expect((await s.sites.directory()).labelKeys.get("eu")).toEqual(new Set(["region"]));
  });

  it("does not keep a listener list read while a listener waited to be added", async () => {
    const s = store();
    const release = holdWriter(s);
    const adding = s.listeners.add({
      id: "l1",
      callback: "http://127.0.0.1:9/x",
      query: null,
      secret: "s",
      createdBy: "t",
    });
    expect(await s.listeners.list()).toEqual([]);
    await release();
    await adding;
    expect((await s.listeners.list()).map((l) => l.id)).toEqual(["l1"]);
  });
});
