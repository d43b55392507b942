export * from "./chunk";
export * from "./embedder";
export * from "./base";
export * from "./corpus";
export { VectorIndex, DEFAULT_INDEX_TUNING } from "./vector-index";
export type { IndexIdentity, IndexTuning } from "./vector-index";
export { TransformersEmbedder } from "./transformers";
export { UseLiteEmbedder } from "./use-lite";
export * from "./select";
