/**
 * An HNSW index (hnswlib-node, cosine) over chunk vectors, persisted beside the database with a sidecar
 * that names the model, the dimension and the store generation it was built from; any mismatch, and the
 * index is rebuilt from the vectors in the store.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as HnswLib from "hnswlib-node";
import type { HierarchicalNSW as Hnsw } from "hnswlib-node";

const require = createRequire(import.meta.url);
/** The native addon, loaded when an index is first made or read. */
const hnswlib = (): typeof HnswLib => require("hnswlib-node") as typeof HnswLib;

export interface IndexIdentity {
  readonly model: string;
  readonly dim: number;
  readonly generation: number;
}

export interface IndexTuning {
  readonly m: number;
  readonly efConstruction: number;
  readonly efSearch: number;
}
export const DEFAULT_INDEX_TUNING: IndexTuning = { m: 16, efConstruction: 200, efSearch: 160 };

export class VectorIndex {
  #index: Hnsw;
  #capacity: number;
  #live = 0;

  private constructor(
    readonly identity: IndexIdentity,
    index: Hnsw,
    capacity: number,
    live: number,
  ) {
    this.#index = index;
    this.#capacity = capacity;
    this.#live = live;
  }

  static create(identity: IndexIdentity, capacity: number, tuning = DEFAULT_INDEX_TUNING): VectorIndex {
    const index = new (hnswlib().HierarchicalNSW)("cosine", identity.dim);
    const cap = Math.max(16, capacity);
    index.initIndex(cap, tuning.m, tuning.efConstruction, 100, true);
    index.setEf(tuning.efSearch);
    return new VectorIndex(identity, index, cap, 0);
  }

  /** The index saved at `file` if it was built for exactly `identity`; undefined otherwise. */
  static load(file: string, identity: IndexIdentity, tuning = DEFAULT_INDEX_TUNING): VectorIndex | undefined {
    const side = `${file}.json`;
    if (!existsSync(file) || !existsSync(side)) return undefined;
    try {
      const saved = JSON.parse(readFileSync(side, "utf8")) as IndexIdentity & { live: number };
      if (
        saved.model !== identity.model ||
        saved.dim !== identity.dim ||
        saved.generation !== identity.generation
      )
        return undefined;
      const index = new (hnswlib().HierarchicalNSW)("cosine", identity.dim);
      index.readIndexSync(file, true);
      index.setEf(tuning.efSearch);
      return new VectorIndex(identity, index, index.getMaxElements(), saved.live);
    } catch {
      return undefined;
    }
  }

  /** How wide a search looks (recall against latency); kept until changed again. */
  setEfSearch(ef: number): void {
    this.#index.setEf(ef);
  }

  get size(): number {
    return this.#live;
  }

  add(id: number, vector: Float32Array): void {
    if (this.#index.getCurrentCount() >= this.#capacity) {
      this.#capacity = Math.ceil(this.#capacity * 1.5) + 16;
      this.#index.resizeIndex(this.#capacity);
    }
    this.#index.addPoint(Array.from(vector), id, true);
    this.#live++;
  }

  remove(id: number): void {
    try {
      this.#index.markDelete(id);
      this.#live--;
    } catch {
      // not in the index: nothing to remove
    }
  }

  /** hnswlib-node's index itself, for benchmarks that weigh this wrapper's cost. */
  get native(): Pick<Hnsw, "searchKnn"> {
    return this.#index;
  }

  /** The k nearest ids with their cosine similarity; `allowed` narrows the candidates (filters). */
  search(query: Float32Array, k: number, allowed?: (id: number) => boolean): { id: number; score: number }[] {
    const n = Math.min(k, this.#live);
    if (n <= 0) return [];
    const r = this.#index.searchKnn(Array.from(query), n, allowed);
    return r.neighbors.map((id, i) => ({ id, score: 1 - (r.distances[i] as number) }));
  }

  save(file: string, generation: number): void {
    const tmp = `${file}.tmp`;
    this.#index.writeIndexSync(tmp);
    renameSync(tmp, file);
    writeFileSync(`${file}.json`, JSON.stringify({ ...this.identity, generation, live: this.#live }));
  }
}
