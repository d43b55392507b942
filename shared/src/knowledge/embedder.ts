/** Embedders behind one interface: the model that turns text into vectors, named so an index knows it. */
import { createHash } from "node:crypto";

export interface Embedder {
  /** Model identity: an index built with another one is rebuilt. */
  readonly id: string;
  readonly dim: number;
  /** Where the model runs, once loaded, when it can run in more than one place. */
  readonly runtime?: string | undefined;
  /** One unit-length vector per text. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

const STOP = new Set(
  "a an and are as at be by can do does for from how in is it its of on or that the this to was what when where which who why will with".split(
    " ",
  ),
);

/** Lower-case word tokens, without stop words (digits kept: N3, 2152, 38412 matter here). */
export function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+(?:[-_][a-z0-9]+)*/g) ?? []).filter((t) => !STOP.has(t));
}

function bucket(feature: string, dim: number): { index: number; sign: number } {
  const h = createHash("md5").update(feature).digest();
  return { index: h.readUInt32LE(0) % dim, sign: (h[4] as number) & 1 ? 1 : -1 };
}

/**
 * A deterministic embedder for tests and a last resort: words and word pairs hashed into `dim` signed
 * buckets (feature hashing), then normalised. It knows no synonyms; real models do.
 */
export class HashingEmbedder implements Embedder {
  readonly id: string;
  readonly #cache = new Map<string, { index: number; sign: number }>();

  constructor(readonly dim = 384) {
    this.id = `hashing-${dim}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  embedOne(text: string): Float32Array {
    const v = new Float32Array(this.dim);
    const ts = tokens(text);
    const add = (f: string, w: number) => {
      let b = this.#cache.get(f);
      if (!b) {
        b = bucket(f, this.dim);
        if (this.#cache.size < 200_000) this.#cache.set(f, b);
      }
      v[b.index] = (v[b.index] as number) + b.sign * w;
    };
    for (let i = 0; i < ts.length; i++) {
      add(ts[i] as string, 1);
      if (i + 1 < ts.length) add(`${ts[i]} ${ts[i + 1]}`, 0.5);
    }
    return normalise(v);
  }
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / n;
  return v;
}
