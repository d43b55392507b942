import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { transactionRunner } from "./sqlite";

let db: Database.Database;
let atomic: ReturnType<typeof transactionRunner>;
const rows = () => (db.prepare("SELECT v FROM t ORDER BY v").all() as { v: number }[]).map((r) => r.v);
const put = (v: number) => db.prepare("INSERT INTO t (v) VALUES (?)").run(v);

beforeEach(() => {
  db = new Database(":memory:");
  db.exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
  atomic = transactionRunner(db);
});
afterEach(() => db.close());

describe("transactionRunner", () => {
  it("commits what fn wrote and returns what it returned", () => {
    expect(atomic(() => (put(1), put(2), "done"))).toBe("done");
    expect(db.inTransaction).toBe(false);
    expect(rows()).toEqual([1, 2]);
  });

  it("rolls back everything fn wrote when it throws, and throws that", () => {
    put(1);
    expect(() =>
      atomic(() => {
        put(2);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(db.inTransaction).toBe(false);
    expect(rows()).toEqual([1]);
  });

  it("joins the transaction under way: a nested throw rolls back the outer one whole", () => {
    atomic(() => {
      put(1);
      atomic(() => put(2));
      expect(db.inTransaction).toBe(true);
    });
    expect(rows()).toEqual([1, 2]);
    expect(() =>
      atomic(() => {
        put(3);
        atomic(() => {
          put(4);
          put(4); // a constraint violation
        });
      }),
    ).toThrow(/UNIQUE/);
    expect(rows()).toEqual([1, 2]);
  });

  it("tells of each transaction it committed: not one it joined, nor one rolled back", () => {
    let commits = 0;
    const counted = transactionRunner(db, () => commits++);
    counted(() => (put(1), counted(() => put(2))));
    expect(commits).toBe(1);
    expect(() => counted(() => (put(3), put(3)))).toThrow(/UNIQUE/);
    expect([commits, rows()]).toEqual([1, [1, 2]]);
  });
});
