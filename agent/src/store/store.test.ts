import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Clock, IntentPlan } from "@nephoran/shared";
import Database from "better-sqlite3";
import { applyMigrations } from "@nephoran/shared";
import { AgentStore, StoreError } from "./index";
import { HISTORY_KEPT } from "./intents";
import { MIGRATIONS } from "./migrations";

const clock: Clock = { now: () => new Date("2026-11-22T10:00:00Z"), sleep: async () => {} };
const plan = (replicas = 1): IntentPlan => ({
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas }],
  priority: "medium",
  source: "rules",
  confidence: 0.99,
});
const input = (id: string, revision = 1, replicas = 1) => ({
  id,
  name: id,
  plan: plan(replicas),
  revision,
  priority: "medium" as const,
  origin: "hub" as const,
});
const cond = (type: string, status: "True" | "False") => ({
  type,
  status,
  lastTransitionTime: clock.now().toISOString(),
});

let dir: string;
let store: AgentStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nephoran-store-"));
  store = AgentStore.open(join(dir, "agent.db"), { site: "edge01", clock });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A store file as an older agent left it: the first `version` migrations, then `fill`. The test's open store
 * is closed first (a test opens the returned file in its place).
 */
function storeAt(version: number, fill: (old: Database.Database) => void): string {
  store.close();
  const file = join(dir, `v${version}.db`);
  const old = new Database(file);
  applyMigrations(old, MIGRATIONS.slice(0, version));
  fill(old);
  old.close();
  return file;
}

/** What each table and index of the store file was made by (its CREATE statement), by name. */
function schemaOf(file: string): Map<string, string> {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").all() as {
    name: string;
    sql: string;
  }[];
  db.close();
  return new Map(rows.map((r) => [r.name, r.sql]));
}

describe("agent store", () => {
  it("applies an intent once per revision and ignores stale revisions", () => {
    expect(store.upsertIntent(input("a", 1))).toBe(true);
    expect(store.upsertIntent(input("a", 1))).toBe(false);
    expect(store.upsertIntent(input("a", 2, 3))).toBe(true);
    expect(store.upsertIntent(input("a", 1))).toBe(false);
    const a = store.getIntent("a");
    expect(a?.revision).toBe(2);
    expect(a?.plan.actions[0]?.replicas).toBe(3);
    expect(a?.phase).toBe("Pending");
  });

  it("holds the hub's version it committed, and only what it committed", () => {
    // A fresh store: the warm-up that opening runs (and rolls back) leaves no version behind.
    expect(store.ackedVersion()).toBe(0);
    expect(store.applyDesired({ version: 3, put: [input("a"), input("b")], deleted: [], full: false })).toBe(
      true,
    );
    expect(store.ackedVersion()).toBe(3);
    const bad = { ...input("c"), plan: { ...plan(), actions: [] } };
    expect(() => store.applyDesired({ version: 4, put: [bad], deleted: [], full: false })).toThrow(
      StoreError,
    );
    expect(store.ackedVersion()).toBe(3);
    expect(store.applyDesired({ version: 5, put: [], deleted: ["a"], full: false })).toBe(true);
    expect([store.getIntent("a"), store.getIntent("b")?.id]).toEqual([undefined, "b"]);
    store.close();
    store = AgentStore.open(join(dir, "agent.db"), { site: "edge01", clock });
    expect(store.ackedVersion()).toBe(5);
  });

  it("commits a live change from the hub in two pages, and the version it brought with them", () => {
    const file = join(dir, "agent.db");
    const reopen = () => {
      store.close();
      store = AgentStore.open(file, { site: "edge01", clock });
      return store.ackedVersion();
    };
    store.applyDesired({ version: 1, put: [input("a"), input("b")], deleted: [], full: true });
    const peer = new Database(file);
    const meta = () =>
      (peer.prepare("SELECT value FROM meta WHERE key = 'sync.ackedVersion'").get() as { value: string })
        .value;
    // Frames (pages) in the WAL since it was emptied.
    const frames = () => (peer.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0]?.log;
    try {
      peer.pragma("wal_checkpoint(TRUNCATE)");
      expect(store.applyDesired({ version: 2, put: [input("a", 2)], deleted: [], full: false })).toBe(true);
      // The intent's row and its history entry; meta is not written.
      expect(frames()).toBe(2);
      expect([meta(), store.ackedVersion(), reopen()]).toEqual(["1", 2, 2]);
      // A revision the site already holds brings no row to carry the version: meta takes it.
      expect(store.applyDesired({ version: 3, put: [input("a", 2)], deleted: [], full: false })).toBe(false);
      expect([meta(), reopen()]).toEqual(["3", 3]);
      store.applyDesired({ version: 4, put: [input("b", 2)], deleted: [], full: false });
      // A late delete, or the site's own removal, of the row the version stood on keeps the version.
      store.applyDesired({ version: 2, put: [], deleted: ["b"], full: false });
      expect([store.getIntent("b"), reopen()]).toEqual([undefined, 4]);
      store.applyDesired({ version: 5, put: [input("b", 3)], deleted: [], full: false });
      expect([store.removeIntent("b"), reopen()]).toEqual([true, 5]);
      // A full snapshot at an earlier version (the hub's store restored) sets it back.
      store.applyDesired({ version: 6, put: [input("a", 3)], deleted: [], full: false });
      store.applyDesired({ version: 2, put: [input("a", 3), input("c")], deleted: [], full: true });
      expect([store.ackedVersion(), reopen()]).toEqual([2, 2]);
      expect(
        store
          .hubIntents()
          .map((i) => i.id)
          .sort(),
      ).toEqual(["a", "c"]);
    } finally {
      peer.close();
    }
  });

  it("checkpoints when asked, between passes, and not inside a change's commit", () => {
    const file = join(dir, "agent.db");
    const walPages = () => statSync(`${file}-wal`).size / (4096 + 24);
    expect(store.checkpoint()).toBe(false);
    for (let k = 1; k <= 600; k++)
      store.applyDesired({
        version: k,
        put: [input(`i${k % 20}`, Math.ceil(k / 20))],
        deleted: [],
        full: false,
      });
    // 1,200 pages: past SQLite's default of 1,000, and no commit checkpointed by itself.
    expect(walPages()).toBeGreaterThan(1100);
    expect(store.checkpoint()).toBe(true);
    expect(store.checkpoint()).toBe(false);
    const peer = new Database(file);
    const [wal] = peer.pragma("wal_checkpoint(PASSIVE)") as { log: number; checkpointed: number }[];
    peer.close();
    expect(wal && wal.log > 1100 && wal.checkpointed === wal.log).toBe(true);
    expect(store.integrity()).toBe("ok");
  });

  it("refuses an invalid plan and loses nothing", () => {
    store.upsertIntent(input("a", 1));
    const bad = { ...input("a", 2), plan: { ...plan(), actions: [] } };
    expect(() => store.upsertIntent(bad)).toThrow(StoreError);
    expect(store.getIntent("a")?.revision).toBe(1);
  });

  it("records each phase change in the history and the outbox, atomically", () => {
    store.upsertIntent(input("a"));
    expect(
      store.setPhase("a", {
        revision: 1,
        phase: "Applied",
        conditions: [cond("Applied", "True")],
        reason: "Applied",
      }),
    ).toBe(true);
    expect(
      store.setPhase("a", { revision: 1, phase: "Applied", conditions: [cond("Applied", "True")] }),
    ).toBe(false);
    expect(store.history("a").map((h) => `${h.from ?? "-"}>${h.to}`)).toEqual([
      "->Pending",
      "Pending>Applied",
    ]);
    // The hub's intent is not reported on receipt (the acknowledgement says it); its change of phase is.
    const out = store.peekOutbox();
    expect(out.map((m) => m.id)).toEqual(["edge01:a:1"]);
    expect(out[0]?.report).toMatchObject({ siteId: "edge01", intentId: "a", phase: "Applied", revision: 1 });
    // The site's own intent, which the hub knows by its reports alone, is reported on receipt, numbered next.
    store.upsertIntent({ ...input("local-1"), origin: "local" });
    expect(store.peekOutbox().at(-1)).toMatchObject({
      id: "edge01:local-1:2",
      report: { intentId: "local-1", phase: "Pending", revision: 1, reportSeq: 2, nfStatus: [] },
    });
  });

  it("ignores a phase update for an older revision", () => {
    store.upsertIntent(input("a", 2));
    expect(store.setPhase("a", { revision: 1, phase: "Ready", conditions: [] })).toBe(false);
    expect(store.getIntent("a")?.phase).toBe("Pending");
  });

  it("acknowledges outbox messages by id and keeps the rest in order", () => {
    store.upsertIntent(input("a"));
    store.upsertIntent(input("b"));
    store.setPhase("a", { revision: 1, phase: "Applying", conditions: [] });
    store.setPhase("b", { revision: 1, phase: "Applying", conditions: [] });
    store.setPhase("a", { revision: 1, phase: "Applied", conditions: [] });
    expect(store.outboxDepth()).toBe(3);
    expect(store.ackOutbox(["edge01:a:1", "edge01:nope:9"])).toBe(1);
    expect(store.peekOutbox().map((m) => m.id)).toEqual(["edge01:b:2", "edge01:a:3"]);
    // Read empty, then a report queued: the next look sees it.
    store.ackOutbox(["edge01:b:2", "edge01:a:3"]);
    expect(store.peekOutbox()).toEqual([]);
    expect(store.peekOutbox()).toEqual([]);
    store.setPhase("b", { revision: 1, phase: "Applied", conditions: [] });
    expect(store.peekOutbox().map((m) => m.id)).toEqual(["edge01:b:4"]);
  });

  it("survives reopening: intents, sequence and outbox persist", () => {
    store.upsertIntent(input("a"));
    store.setPhase("a", { revision: 1, phase: "Applied", conditions: [] });
    store.close();
    store = AgentStore.open(join(dir, "agent.db"), { site: "edge01", clock });
    store.upsertIntent(input("b"));
    store.setPhase("b", { revision: 1, phase: "Applied", conditions: [] });
    expect(store.listIntents().map((i) => i.id)).toEqual(["a", "b"]);
    expect(store.peekOutbox().map((m) => m.report.reportSeq)).toEqual([1, 2]);
    expect(store.integrity()).toBe("ok");
  });

  it("takes a store from before its keyed tables along: intents, history, cursor and outbox kept", () => {
    const file = storeAt(4, (old) =>
      old.exec(`INSERT INTO meta VALUES ('site', 'edge01'), ('sync.ackedVersion', '7');
      INSERT INTO intents (id, name, plan, revision, priority, origin, created_at, updated_at, phase, phase_changed_at)
        VALUES ('a', 'a', '${JSON.stringify(plan())}', 2, 'medium', 'hub', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', 'Ready', '2026-11-02T00:00:00Z');
      INSERT INTO intent_history (intent_id, revision, from_phase, to_phase, at) VALUES ('a', 1, NULL, 'Pending', 't1'), ('a', 2, 'Pending', 'Ready', 't2');`),
    );
    store = AgentStore.open(file, { site: "edge01", clock });
    expect(store.ackedVersion()).toBe(7);
    expect(store.getIntent("a")).toMatchObject({ revision: 2, phase: "Ready", plan: plan() });
    store.upsertIntent(input("a", 3));
    expect(store.history("a").map((h) => [h.revision, h.to])).toEqual([
      [1, "Pending"],
      [2, "Ready"],
      [3, "Pending"],
    ]);
    const sql = schemaOf(file);
    expect(sql.get("meta")).toMatch(/WITHOUT ROWID$/);
    expect(sql.get("intents")).toMatch(/WITHOUT ROWID$/);
    expect(sql.get("intent_history")).not.toMatch(/AUTOINCREMENT/);
    expect(sql.get("intent_history")).toMatch(/PRIMARY KEY \(intent_id, seq\)/);
    expect(store.integrity()).toBe("ok");
  });

  it("takes a store from before history was kept by intent along: every entry, in order, numbering on", () => {
    const file = storeAt(5, (old) =>
      old.exec(`INSERT INTO meta VALUES ('site', 'edge01');
      INSERT INTO intents (id, name, plan, revision, priority, origin, created_at, updated_at, phase, phase_changed_at)
        VALUES ('a', 'a', '${JSON.stringify(plan())}', 2, 'medium', 'hub', '2026-11-02T00:00:00Z', 't', 'Ready', 't'),
               ('b', 'b', '${JSON.stringify(plan())}', 1, 'medium', 'hub', '2026-11-01T00:00:00Z', 't', 'Pending', 't');
      INSERT INTO intent_history (intent_id, revision, from_phase, to_phase, at) VALUES
        ('a', 1, NULL, 'Pending', 't1'), ('b', 1, NULL, 'Pending', 't2'), ('a', 2, 'Pending', 'Ready', 't3');`),
    );
    store = AgentStore.open(file, { site: "edge01", clock });
    store.upsertIntent(input("a", 3));
    store.upsertIntent(input("b", 2));
    expect(store.history("a").map((h) => [h.revision, h.to, h.at])).toEqual([
      [1, "Pending", "t1"],
      [2, "Ready", "t3"],
      [3, "Pending", clock.now().toISOString()],
    ]);
    expect(store.history("b").map((h) => h.revision)).toEqual([1, 2]);
    // Listed in the order they take effect, without the index that kept it.
    expect(store.listIntents().map((i) => i.id)).toEqual(["b", "a"]);
    const sql = schemaOf(file);
    expect(sql.get("intent_history")).toMatch(/WITHOUT ROWID$/);
    expect(sql.get("intent_history_by_intent")).toBeUndefined();
    expect(sql.get("intents_order")).toBeUndefined();
    expect(store.integrity()).toBe("ok");
  });

  it("refuses to open another site's store", () => {
    store.close();
    expect(() => AgentStore.open(join(dir, "agent.db"), { site: "edge02", clock })).toThrow(
      /belongs to site "edge01"/,
    );
    store = AgentStore.open(join(dir, "agent.db"), { site: "edge01", clock });
  });

  it("keeps each intent's newest history entries, numbered on, and drops the older ones", () => {
    store.upsertIntent(input("a"));
    store.upsertIntent(input("b"));
    // Pending > Failed > Pending … : two entries a flap, past HISTORY_KEPT several times over.
    for (let k = 0; k < 130; k++) {
      const phase = k % 2 ? "Pending" : "Failed";
      store.setPhase("a", { revision: 1, phase, conditions: [cond("Ready", "False")], reason: `flap ${k}` });
    }
    const a = store.history("a");
    expect(a.length).toBeGreaterThanOrEqual(HISTORY_KEPT);
    expect(a.length).toBeLessThan(HISTORY_KEPT + 20);
    // The newest is the last flap; nothing newer was dropped, and the order holds.
    expect(a.at(-1)?.reason).toBe("flap 129");
    const flaps = a.map((h) => Number(h.reason?.replace("flap ", "")));
    expect(flaps).toEqual([...Array(a.length).keys()].map((i) => 130 - a.length + i));
    // Another intent's history is untouched.
    expect(store.history("b").map((h) => h.to)).toEqual(["Pending"]);
    const db = new Database(join(dir, "agent.db"), { readonly: true });
    const numbers = db
      .prepare(
        "SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM intent_history WHERE intent_id = 'a'",
      )
      .get() as { lo: number; hi: number; n: number };
    db.close();
    // Numbering goes on from where it was: 131 entries made, the oldest dropped.
    expect(numbers).toEqual({ lo: 132 - a.length, hi: 131, n: a.length });
    expect(store.integrity()).toBe("ok");
  });

  it("takes a store from before history was bounded along: the newest entries kept, removed intents' dropped", () => {
    const file = storeAt(6, (old) => {
      old.exec(`INSERT INTO meta VALUES ('site', 'edge01');
      INSERT INTO intents (id, name, plan, revision, priority, origin, created_at, updated_at, phase, phase_changed_at)
        VALUES ('a', 'a', '${JSON.stringify(plan())}', 1, 'medium', 'hub', 't', 't', 'Pending', 't');`);
      const add = old.prepare(
        "INSERT INTO intent_history (intent_id, seq, revision, from_phase, to_phase, at) VALUES (?, ?, 1, NULL, 'Pending', ?)",
      );
      for (let seq = 1; seq <= 150; seq++) add.run("a", seq, `t${seq}`);
      for (let seq = 1; seq <= 5; seq++) add.run("gone", seq, `t${seq}`);
    });
    store = AgentStore.open(file, { site: "edge01", clock });
    expect(store.history("a").map((h) => h.at)).toEqual(
      [...Array(HISTORY_KEPT).keys()].map((i) => `t${150 - HISTORY_KEPT + 1 + i}`),
    );
    expect(store.history("gone")).toEqual([]);
    store.upsertIntent(input("a", 2));
    expect(store.history("a").at(-1)).toMatchObject({ revision: 2, from: "Pending", to: "Pending" });
    expect(store.integrity()).toBe("ok");
  });

  it("removes an intent with its NF status and history", () => {
    store.upsertIntent(input("a"));
    store.setPhase("a", {
      revision: 1,
      phase: "Applied",
      conditions: [],
      nfStatus: [{ nf: "amf", name: "amf-a", desiredReplicas: 1, readyReplicas: 0, ready: false }],
    });
    expect(store.nfStatus("a")).toHaveLength(1);
    expect(store.removeIntent("a")).toBe(true);
    expect(store.getIntent("a")).toBeUndefined();
    expect(store.nfStatus("a")).toEqual([]);
    expect(store.history("a")).toEqual([]);
    // Held again under the same id, its history starts afresh.
    store.upsertIntent(input("a", 2));
    expect(store.history("a").map((h) => [h.revision, h.from, h.to])).toEqual([[2, null, "Pending"]]);
  });

  it("keeps each setting the closed loop changed on an NF apart, counts its steps, and reports them", () => {
    store.upsertIntent(input("a"));
    const at = clock.now().toISOString();
    const step = { intentId: "a", revision: 1, nf: "near-rt-ric", asked: 40, reason: "why", at };
    expect(store.remediate({ ...step, threshold: 30 })).toMatchObject({ threshold: 30, actions: 1 });
    expect(store.remediate({ ...step, threshold: 20 })).toMatchObject({ threshold: 20, actions: 2 });
    expect(store.remediate({ ...step, replicas: 2, asked: 1 })).toMatchObject({ replicas: 2, actions: 1 });
    expect(
      store.remediations("a").map(({ replicas, threshold, actions }) => ({ replicas, threshold, actions })),
    ).toEqual([
      { replicas: 2, threshold: undefined, actions: 1 },
      { replicas: undefined, threshold: 20, actions: 2 },
    ]);
    // Ignored for another revision than the one held.
    expect(store.remediate({ ...step, revision: 2, threshold: 10 })).toBeUndefined();
    expect(store.peekOutbox(100).at(-1)?.report.remediations).toHaveLength(2);
  });
});
