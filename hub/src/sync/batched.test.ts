import { describe, expect, it } from "vitest";
import { BatchedReads } from "./batched";

/** A reader that records each read's keys and answers their squares (an odd key is absent). */
function squares(fail?: (keys: number[]) => boolean) {
  const reads: number[][] = [];
  const reader = new BatchedReads<number, number>(async (keys) => {
    reads.push(keys);
    if (fail?.(keys)) throw new Error(`read of ${keys.join(",")} failed`);
    return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, k * k]));
  }, 3);
  return { reads, reader };
}

describe("batched reads", () => {
  it("answers the keys asked for in one turn with one read each of at most `max`, a key asked twice read once", async () => {
    const { reads, reader } = squares();
    const answers = await Promise.all([2, 4, 2, 5, 6, 8].map((k) => reader.get(k)));
    expect(answers).toEqual([4, 16, 4, undefined, 36, 64]);
    expect(reads).toEqual([
      [2, 4, 5],
      [6, 8],
    ]);
  });

  it("reads again for keys asked in a later turn", async () => {
    const { reads, reader } = squares();
    expect(await reader.get(2)).toBe(4);
    expect(await reader.get(2)).toBe(4);
    expect(reads).toEqual([[2], [2]]);
  });

  it("gives a failed read's error to the keys of that read only", async () => {
    const { reader } = squares((keys) => keys.includes(5));
    const answers = await Promise.allSettled([2, 5, 4, 6].map((k) => reader.get(k)));
    expect(answers.map((a) => a.status)).toEqual(["rejected", "rejected", "rejected", "fulfilled"]);
    expect((answers[1] as PromiseRejectedResult).reason).toEqual(new Error("read of 2,5,4 failed"));
    expect(answers[3]).toEqual({ status: "fulfilled", value: 36 });
  });

  it("fails the waiters of a reader that throws instead of rejecting", async () => {
    const reader = new BatchedReads<number, number>(() => {
      throw new Error("no store");
    });
    await expect(reader.get(1)).rejects.toThrow("no store");
  });
});
