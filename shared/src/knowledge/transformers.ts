/**
 * Sentence embeddings from an ONNX model in a local folder (transformers.js): never downloaded at run
 * time — the folder comes from config, and an edge image carries it. Layout:
 * `DIR/<model-id>/{config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx}`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Embedder } from "./embedder";
import { KnowledgeError } from "./base";

type Extractor = (
  texts: string[],
  opts: { pooling: "mean"; normalize: boolean },
) => Promise<{ tolist(): number[][] }>;

export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly dim: number;
  #extractor: Promise<Extractor> | undefined;

  constructor(
    private readonly modelDir: string,
    private readonly modelId: string,
  ) {
    const folder = join(modelDir, modelId);
    for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model_quantized.onnx"])
      if (!existsSync(join(folder, f)))
        throw new KnowledgeError(
          `model folder ${folder} lacks ${f}: copy the model there (it is never downloaded)`,
        );
    const config = JSON.parse(readFileSync(join(folder, "config.json"), "utf8")) as {
      hidden_size?: number;
      dim?: number;
    };
    const dim = config.hidden_size ?? config.dim;
    if (!dim) throw new KnowledgeError(`${folder}/config.json names no hidden_size`);
    this.dim = dim;
    this.id = `transformers:${modelId}`;
  }

  #load(): Promise<Extractor> {
    return (this.#extractor ??= (async () => {
      const { env, pipeline } = await import("@xenova/transformers");
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      env.localModelPath = this.modelDir;
      return (await pipeline("feature-extraction", this.modelId, {
        quantized: true,
      })) as unknown as Extractor;
    })());
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    const extract = await this.#load();
    const out = await extract([...texts], { pooling: "mean", normalize: true });
    return out.tolist().map((v) => Float32Array.from(v));
  }
}
