import { AsyncLocalStorage } from "node:async_hooks";
import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

/** A write that records each group it is given and finishes when told. */
function recorder(fail: (items: readonly number[]) => boolean = () => false) {
  const groups: number[][] = [];
  const pending: (() => void)[] = [];
  const write = (items: readonly number[]) =>
    new Promise<number[]>((resolve, reject) => {
      groups.push([...items]);
      pending.push(() =>
        fail(items) ? reject(new Error(`bad ${items.join(",")}`)) : resolve(items.map((i) => i * 10)),
      );
    });
  /** Finishes the writes under way, as many rounds as asked. */
  const finish = async (rounds = 1) => {
    for (let r = 0; r < rounds; r++) {
      await new Promise((res) => setImmediate(res));
      for (const done of pending.splice(0)) done();
    }
    await new Promise((res) => setImmediate(res));
  };
  return { groups, write, finish };
}

describe("group commit", () => {
  it("writes a lone request at once, and those that arrive meanwhile together in the next write", async () => {
    const r = recorder();
    const g = new GroupCommit(r.write);
    const first = g.submit(1);
    await new Promise((res) => setImmediate(res));
    expect(r.groups).toEqual([[1]]);
    const later = [2, 3, 4].map((i) => g.submit(i));
    expect(r.groups).toEqual([[1]]);
    await r.finish(2);
    expect(r.groups).toEqual([[1], [2, 3, 4]]);
    expect(await first).toBe(10);
    expect(await Promise.all(later)).toEqual([20, 30, 40]);
  });

  it("takes what arrives in one turn of the event loop as one group, at most `max` to a write", async () => {
    const r = recorder();
    const g = new GroupCommit(r.write, { max: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => g.submit(i));
    await r.finish(3);
    expect(r.groups).toEqual([[1, 2], [3, 4], [5]]);
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });

  it("writes each request of a failed group again alone: only the bad one fails", async () => {
    const r = recorder((items) => items.includes(2));
    const g = new GroupCommit(r.write);
    const all = [1, 2, 3].map((i) => g.submit(i).catch((e: unknown) => (e as Error).message));
    await r.finish(4);
    expect(r.groups).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(await Promise.all(all)).toEqual([10, "bad 2", 30]);
    // And it goes on taking requests.
    const next = g.submit(7);
    await r.finish();
    expect(await next).toBe(70);
  });

  it("fails a whole group at once when the failure is none of its requests'", async () => {
    const r = recorder(() => true);
    const g = new GroupCommit(r.write, { alone: (e) => !String(e).includes("bad") });
    const all = [1, 2, 3].map((i) => g.submit(i).catch((e: unknown) => (e as Error).message));
    await r.finish(2);
    expect(r.groups).toEqual([[1, 2, 3]]);
    expect(await Promise.all(all)).toEqual(["bad 1,2,3", "bad 1,2,3", "bad 1,2,3"]);
  });

  it("writes outside the context of the request that started the write", async () => {
    const request = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const g = new GroupCommit<number, number>((items) => {
      seen.push(request.getStore());
      return Promise.resolve([...items]);
    });
    expect(await request.run("request-a", () => g.submit(1))).toBe(1);
    expect(seen).toEqual([undefined]);
  });

  it("fails a request whose write throws rather than rejects, and goes on", async () => {
    const g = new GroupCommit<number, number>((items) => {
      if (items.includes(2)) throw new Error("thrown");
      return Promise.resolve(items.map((i) => i + 1));
    });
    const all = [1, 2].map((i) => g.submit(i).catch((e: unknown) => (e as Error).message));
    expect(await Promise.all(all)).toEqual([2, "thrown"]);
    expect(await g.submit(5)).toBe(6);
  });
});
