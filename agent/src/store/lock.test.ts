import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DataDirLock } from "./index";
import { AgentStore, lockDataDir, StoreError, StoreErrorCode } from "./index";

let dir: string;
const held: DataDirLock[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nephoran-lock-"));
});
afterEach(() => {
  for (const l of held.splice(0)) l.release();
  rmSync(dir, { recursive: true, force: true });
});

const take = (waitMs?: number) => {
  const l = lockDataDir(dir, waitMs);
  held.push(l);
  return l;
};

describe("the data folder's lock", () => {
  it("refuses a second holder with InUse, naming the folder, until the first lets go", () => {
    const first = take();
    const t = performance.now();
    let refused: unknown;
    try {
      take(200);
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).code).toBe(StoreErrorCode.InUse);
    expect((refused as StoreError).message).toContain(dir);
    // It waited for a holder that might be stopping, then gave up.
    expect(performance.now() - t).toBeGreaterThanOrEqual(150);
    first.release();
    expect(() => take(0)).not.toThrow();
  });

  it("leaves the store open to other connections (nephoran apply, a reader)", () => {
    take();
    const store = AgentStore.open(join(dir, "agent.db"), {
      site: "edge01",
      clock: { now: () => new Date(), sleep: async () => {} },
    });
    try {
      expect(
        store.upsertIntent({
          id: "a",
          name: "a",
          plan: {
            intentType: "nf.deploy",
            actions: [{ kind: "deploy", nf: "amf" }],
            priority: "low",
            source: "rules",
            confidence: 1,
          },
          revision: 1,
          priority: "low",
          origin: "local",
        }),
      ).toBe(true);
    } finally {
      store.close();
    }
  });

  it("a folder that cannot hold the lock file is an error, not InUse", () => {
    let e: unknown;
    try {
      lockDataDir(join(dir, "missing", "deeper"));
    } catch (x) {
      e = x;
    }
    expect((e as StoreError).code).toBe(StoreErrorCode.Corrupt);
  });
});
