/**
 * A small writer of ONNX models (the protobuf `ModelProto`): nodes, initializers, inputs and outputs — what
 * a graph built here in code needs, so a model can be made from weights a package ships and handed to
 * onnxruntime as bytes, with no converter and no download.
 */

/** TensorProto.DataType: the element types the graphs here use. */
export const ElemType = { Float: 1, Int32: 6, Int64: 7 } as const;
export type ElemType = (typeof ElemType)[keyof typeof ElemType];

export type Attr = number | number[] | { f: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  type: ElemType;
  /** Little-endian raw data, as protobuf's `raw_data` holds it. */
  raw: Uint8Array;
}

export interface OnnxValue {
  name: string;
  type: ElemType;
  /** A number is a fixed size; a string names a dimension the caller chooses at run time. */
  dims: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  opset: number;
}

/** Bytes of a protobuf message, field by field. */
class Writer {
  readonly parts: Uint8Array[] = [];
  size = 0;

  #push(b: Uint8Array): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }

  varint(n: number | bigint): this {
    // Negative int64 values are ten bytes of two's complement.
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    while (v > 127n) {
      out.push(Number(v & 127n) | 128);
      v >>= 7n;
    }
    out.push(Number(v));
    return this.#push(Uint8Array.from(out));
  }

  int(field: number, v: number): this {
    return this.varint(field << 3).varint(v);
  }

  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.varint((field << 3) | 5).#push(b);
  }

  bytes(field: number, b: Uint8Array): this {
    return this.varint((field << 3) | 2)
      .varint(b.length)
      .#push(b);
  }

  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  msg(field: number, build: (w: Writer) => void): this {
    const w = new Writer();
    build(w);
    return this.bytes(field, w.done());
  }

  done(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

// AttributeProto.AttributeType
const FLOAT = 1;
const INT = 2;
const INTS = 7;

function attribute(w: Writer, name: string, v: Attr): void {
  w.str(1, name);
  if (Array.isArray(v)) {
    for (const i of v) w.int(8, i);
    w.int(20, INTS);
  } else if (typeof v === "object") w.float(2, v.f).int(20, FLOAT);
  else w.int(3, v).int(20, INT);
}

function valueInfo(w: Writer, v: OnnxValue): void {
  w.str(1, v.name).msg(2, (type) =>
    type.msg(1, (tensor) =>
      tensor.int(1, v.type).msg(2, (shape) => {
        for (const d of v.dims)
          shape.msg(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.str(2, d)));
      }),
    ),
  );
}

/** The serialised `ModelProto` of a graph. */
export function encodeModel(g: OnnxGraph): Uint8Array {
  return new Writer()
    .int(1, 8) // ir_version
    .str(2, "nephoran")
    .msg(7, (graph) => {
      g.nodes.forEach((n, i) => {
        graph.msg(1, (node) => {
          for (const x of n.inputs) node.str(1, x);
          for (const x of n.outputs) node.str(2, x);
          node.str(3, `${n.op}_${i}`).str(4, n.op);
          for (const [k, v] of Object.entries(n.attrs ?? {})) node.msg(5, (a) => attribute(a, k, v));
        });
      });
      graph.str(2, g.name);
      for (const t of g.initializers)
        graph.msg(5, (tensor) => {
          for (const d of t.dims) tensor.int(1, d);
          tensor.int(2, t.type).str(8, t.name).bytes(9, t.raw);
        });
      for (const v of g.inputs) graph.msg(11, (w) => valueInfo(w, v));
      for (const v of g.outputs) graph.msg(12, (w) => valueInfo(w, v));
    })
    .msg(8, (opset) => opset.int(2, g.opset))
    .done();
}
