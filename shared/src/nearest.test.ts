import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, nearest } from "./nearest";

describe("nearest", () => {
  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("egde01", "edge01")).toBe(1);
    expect(editDistance("depoly", "deploy")).toBe(1);
    expect(editDistance("delpoy", "deploy")).toBe(1);
    expect(editDistance("edge99", "edge01")).toBe(2);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("offers near names, nearest first, and nothing for an exact or far word", () => {
    expect(nearest("egde01", ["edge02", "edge01", "lab"])).toEqual(["edge01"]);
    expect(nearest("edge09", ["edge04", "edge01", "edge02", "edge03"])).toEqual([
      "edge01",
      "edge02",
      "edge03",
    ]);
    expect(nearest("edge01", ["edge01", "edge02"])).toEqual([]);
    expect(nearest("berlin", ["edge01", "lab"])).toEqual([]);
    expect(nearest("lbb", ["lab", "demo"])).toEqual(["lab"]);
  });

  it("phrases the hint", () => {
    expect(didYouMean("egde01", ["edge01"])).toBe(' (did you mean "edge01"?)');
    expect(didYouMean("zzz", ["edge01"])).toBe("");
  });
});
