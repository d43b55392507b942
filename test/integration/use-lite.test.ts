/**
 * The bundled Universal Sentence Encoder lite on its two runtimes: the ONNX graph written from the package's
 * weights on onnxruntime (native), and the package's own TensorFlow.js model on WebAssembly. An index built
 * with one is searched with the other, so their tokenizers must agree piece for piece and their vectors to
 * float rounding — on the bundled corpus and on what breaks tokenizers and padding.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  KnowledgeError,
  UseLiteEmbedder,
  bundledDocuments,
  chooseEmbedder,
} from "@nephoran/shared/knowledge";
import { SentencePiece } from "../../shared/src/knowledge/sentencepiece";
import { useLiteFolder } from "../../shared/src/knowledge/use-lite-graph";
import { spawnEdgeAgent } from "../harness/process";

const sentences = [
  ...new Set(
    bundledDocuments().flatMap((d) =>
      d.text
        .split(/(?<=[.!?])\s+|\n+/)
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ),
];
const awkward = [
  "",
  " ",
  "✓",
  "ünïcödé — 5G ✓✓ 𝔘𝔫𝔦 😀 smile",
  "UPF",
  "scale UPF to 3 replicas at edge01",
  // Longer than the model reads (128 pieces): the rest is dropped.
  Array.from({ length: 90 }, (_, i) => `n${i} upf`).join(" "),
];

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe("the bundled encoder", () => {
  let vocabulary: [string, number][];
  beforeAll(() => {
    vocabulary = JSON.parse(readFileSync(join(useLiteFolder(), "vocab.json"), "utf8")) as [string, number][];
  });

  it("splits text into the same pieces as the model package's own tokenizer", async () => {
    // The tokenizer ships in @energetic-ai/embeddings, a dependency of the shared package.
    const require = createRequire(fileURLToPath(import.meta.resolve("@nephoran/shared/knowledge")));
    const theirs = new (
      (await import(require.resolve("@energetic-ai/embeddings"))) as {
        EmbeddingsModel: new (d: { vocabulary: unknown; model: null }) => {
          tokenizer: { encode(s: string): number[] };
        };
      }
    ).EmbeddingsModel({ vocabulary, model: null }).tokenizer;
    const ours = new SentencePiece(vocabulary);
    const all = [...sentences, ...awkward];
    expect(all.length).toBeGreaterThan(500);
    for (const s of all) expect(ours.encode(s), s).toEqual(theirs.encode(s));
    expect(ours.encode("✓✓ a")).toEqual([30, 0, 11]); // unknown symbols: one unknown piece
  });

  it("gives the same vectors natively as on WebAssembly, one at a time and in padded batches", async () => {
    const native = new UseLiteEmbedder("native");
    const wasm = new UseLiteEmbedder("wasm");
    expect(native.id).toBe(wasm.id);
    const texts = [...sentences.filter((_, i) => i % 12 === 0), ...awkward];
    expect(texts.length).toBeGreaterThan(40);
    const [batched, reference] = [await native.embed(texts), await wasm.embed(texts)];
    const single = await native.embed([texts[3] as string]);
    expect(native.runtime).toBe("native");
    expect(wasm.runtime).toBe("wasm");
    for (let i = 0; i < texts.length; i++) {
      const v = batched[i] as Float32Array;
      expect(v).toHaveLength(512);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
      expect(cosine(v, reference[i] as Float32Array), JSON.stringify(texts[i])).toBeGreaterThan(0.9999);
    }
    expect(cosine(single[0] as Float32Array, batched[3] as Float32Array)).toBeGreaterThan(0.99999);
    // Different texts stay different.
    expect(cosine(batched[0] as Float32Array, batched[1] as Float32Array)).toBeLessThan(0.99);
  }, 60_000);

  it("runs natively in the edge bundle, from the packages an edge box has on disk", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "nephoran-use-lite-")), "kb.db");
    const ingest = spawnEdgeAgent(["kb", "ingest", "--db", db]);
    expect((await ingest.exited).code, ingest.output()).toBe(0);
    expect(ingest.output()).toContain("(use-lite-512 on native)");
    const search = spawnEdgeAgent(["kb", "search", "--json", "--k", "3", "--db", db, "N3 user plane tunnel"]);
    expect((await search.exited).code, search.output()).toBe(0);
    expect(search.output()).toMatch(/UPF|user plane function/i);
  }, 60_000);

  it("is chosen by name, pinned to a runtime on request, and refuses names it does not know", () => {
    expect(chooseEmbedder({})).toBeInstanceOf(UseLiteEmbedder);
    expect(chooseEmbedder({ model: "use-lite:wasm" })).toBeInstanceOf(UseLiteEmbedder);
    expect(chooseEmbedder({ model: "use-lite:native" }).id).toBe("use-lite-512");
    expect(() => chooseEmbedder({ model: "use-lite:gpu" })).toThrow(KnowledgeError);
    expect(() => chooseEmbedder({ model: "use-lite:gpu" })).toThrow(/use-lite:native.*use-lite:wasm/);
  });
});
