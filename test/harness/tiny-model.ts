/**
 * Writes a tiny sentence-embedding model in the layout transformers.js loads from a local folder: a BERT
 * WordPiece tokenizer over a small vocabulary and an ONNX graph (one Gather over an embedding table) encoded
 * here by hand, so the loading code is tested without any download.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const WORDS =
  "the a of to and is which what function functions terminates terminate n2 n3 n4 n6 user plane control tunnel tunnels upf amf smf nrf gtp sctp pfcp port ports slice latency radio core network deploy scale".split(
    " ",
  );
export const TINY_DIM = 8;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const enc = new TextEncoder();
const bytes = (no: number, b: Uint8Array | number[]) => [...varint((no << 3) | 2), ...varint(b.length), ...b];
const str = (no: number, s: string) => bytes(no, enc.encode(s));
const int = (no: number, v: number) => [...varint(no << 3), ...varint(v)];

function valueInfo(name: string, elemType: number, dims: (string | number)[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === "string" ? str(2, d) : int(1, d)));
  const tensorType = [...int(1, elemType), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

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
  const raw = new Uint8Array(table.buffer);

  const node = [
    ...str(1, "embeddings"),
    ...str(1, "input_ids"),
    ...str(2, "last_hidden_state"),
    ...str(3, "gather"),
    ...str(4, "Gather"),
  ];
  const initializer = [
    ...int(1, n),
    ...int(1, TINY_DIM),
    ...int(2, 1),
    ...str(8, "embeddings"),
    ...bytes(9, raw),
  ];
  const graph = [
    ...bytes(1, node),
    ...str(2, "tiny"),
    ...bytes(5, initializer),
    ...bytes(11, valueInfo("input_ids", 7, ["batch", "sequence"])),
    ...bytes(12, valueInfo("last_hidden_state", 1, ["batch", "sequence", TINY_DIM])),
  ];
  const model = [...int(1, 8), ...str(2, "nephoran-tests"), ...bytes(7, graph), ...bytes(8, int(2, 13))];
  writeFileSync(join(folder, "onnx", "model_quantized.onnx"), Uint8Array.from(model));

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
