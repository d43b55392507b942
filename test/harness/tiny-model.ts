/**
 * Writes a tiny sentence-embedding model in the layout transformers.js loads from a local folder: a BERT
 * WordPiece tokenizer over a small vocabulary and an ONNX graph (one Gather over an embedding table) written
 * by the product's own ONNX writer, so the loading code is tested without any download.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ElemType, encodeModel } from "@nephoran/shared/knowledge";

const WORDS =
  "the a of to and is which what function functions terminates terminate n2 n3 n4 n6 user plane control tunnel tunnels upf amf smf nrf gtp sctp pfcp port ports slice latency radio core network deploy scale".split(
    " ",
  );
export const TINY_DIM = 8;

export function writeTinyModel(
  dir: string,
  id = "tiny-embedder",
): { dir: string; id: string; vocab: number } {
  const folder = join(dir, id);
  mkdirSync(join(folder, "onnx"), { recursive: true });
  const vocab: Record<string, number> = { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3 };
  for (const w of WORDS) vocab[w] ??= Object.keys(vocab).length;
  const n = Object.keys(vocab).length;

  // Embedding table: deterministic, distinct rows.
  const table = new Float32Array(n * TINY_DIM);
  let seed = 17;
  for (let i = 0; i < table.length; i++)
    table[i] = ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;

  const model = encodeModel({
    name: "tiny",
    opset: 13,
    nodes: [{ op: "Gather", inputs: ["embeddings", "input_ids"], outputs: ["last_hidden_state"] }],
    initializers: [
      { name: "embeddings", dims: [n, TINY_DIM], type: ElemType.Float, raw: new Uint8Array(table.buffer) },
    ],
    inputs: [{ name: "input_ids", type: ElemType.Int64, dims: ["batch", "sequence"] }],
    outputs: [{ name: "last_hidden_state", type: ElemType.Float, dims: ["batch", "sequence", TINY_DIM] }],
  });
  writeFileSync(join(folder, "onnx", "model_quantized.onnx"), model);

  writeFileSync(
    join(folder, "config.json"),
    JSON.stringify({ model_type: "bert", hidden_size: TINY_DIM, vocab_size: n }),
  );
  writeFileSync(
    join(folder, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 128,
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      cls_token: "[CLS]",
      sep_token: "[SEP]",
    }),
  );
  writeFileSync(
    join(folder, "tokenizer.json"),
    JSON.stringify({
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"].map((t, i) => ({
        id: i,
        content: t,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: {
        type: "BertNormalizer",
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: {
        type: "TemplateProcessing",
        single: [
          { SpecialToken: { id: "[CLS]", type_id: 0 } },
          { Sequence: { id: "A", type_id: 0 } },
          { SpecialToken: { id: "[SEP]", type_id: 0 } },
        ],
        pair: [],
        special_tokens: {
          "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] },
          "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] },
        },
      },
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: {
        type: "WordPiece",
        unk_token: "[UNK]",
        continuing_subword_prefix: "##",
        max_input_chars_per_word: 100,
        vocab,
      },
    }),
  );
  return { dir, id, vocab: n };
}
