import { describe, expect, it } from "vitest";
import { tokenize } from "./lexer";
import { joinParticles } from "./particles";

const words = (text: string) => joinParticles(tokenize(text)).map((t) => t.raw);

describe("separable verbs", () => {
  it("moves a particle back beside its verb across the object", () => {
    expect(words("bring the UPF down to 1 replica")).toEqual([
      "bring",
      "down",
      "the",
      "UPF",
      "to",
      "1",
      "replica",
    ]);
    expect(words("turn the AMF off")).toEqual(["turn", "off", "the", "AMF"]);
  });

  it("leaves a particle that is not the verb's, or that starts something else, where it is", () => {
    expect(words("scale UPF to 3 in edge01")).toEqual(["scale", "UPF", "to", "3", "in", "edge01"]);
    expect(words("bring up AMF")).toEqual(["bring", "up", "AMF"]);
    expect(words("bring AMF down the road")).toEqual(["bring", "AMF", "down", "the", "road"]);
  });
});
