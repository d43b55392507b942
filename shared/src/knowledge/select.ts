/** Which embedder a configuration asks for, and the bundled documents under their `bundled/` sources. */
import type { KbDocument } from "./base";
import { KnowledgeError } from "./base";
import { bundledKnowledgeDir, readDocuments } from "./corpus";
import type { Embedder } from "./embedder";
import { HashingEmbedder } from "./embedder";
import { TransformersEmbedder } from "./transformers";
import { UseLiteEmbedder } from "./use-lite";
import type { UseLiteRuntime } from "./use-lite";

export interface EmbedderChoice {
  /** A folder of ONNX models (transformers.js layout); needs `model`. */
  readonly modelDir?: string | undefined;
  /** "use-lite" (bundled, the default; "use-lite:wasm" or "use-lite:native" pins where it runs), "hashing",
   * or a model id inside `modelDir`. */
  readonly model?: string | undefined;
}

export function chooseEmbedder(choice: EmbedderChoice): Embedder {
  const { modelDir, model } = choice;
  if (modelDir) {
    if (!model) throw new KnowledgeError("a model folder needs a model id (--model ID) to load from it");
    return new TransformersEmbedder(modelDir, model);
  }
  if (model === "hashing") return new HashingEmbedder();
  if (model === undefined || model === "use-lite") return new UseLiteEmbedder();
  if (model === "use-lite:native" || model === "use-lite:wasm")
    return new UseLiteEmbedder(model.slice(9) as UseLiteRuntime);
  throw new KnowledgeError(
    `model "${model}": use "use-lite" (bundled; "use-lite:native" or "use-lite:wasm" to pin where it runs), "hashing", or give a model folder with it`,
  );
}

/** The knowledge bundled with the product, sourced `bundled/<file>` beside what operators add. */
export function bundledDocuments(): KbDocument[] {
  return readDocuments(bundledKnowledgeDir()).map((d) => ({ ...d, source: `bundled/${d.source}` }));
}
