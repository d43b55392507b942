/**
 * Knowledge-base benchmark, on the bundled model (Universal Sentence Encoder lite, 512-d):
 * - embedding throughput (sentences/s) over the sentences of the bundled corpus;
 * - ingest of the bundled corpus (chunks/s, embedding included) and a whole question's p50/p99 (embed and
 *   hybrid search): five questions asked again and again, then 100 never asked before;
 * - those figures on the native runtime (onnxruntime, the default) and again on WebAssembly (TensorFlow.js,
 *   where the native runtime cannot load), the same model;
 * - the HNSW index at 10,000 and 100,000 vectors: build time, recall@10 against brute force, query p50/p99
 *   on one thread through the product's wrapper and straight on hnswlib-node's index (the wrapper's cost). The vectors come from real sentence embeddings: each is a random blend of two of the
 *   corpus's embedded sentences plus noise, so they sit where sentence embeddings sit (in the model's
 *   cone, clustered by topic), not spread uniformly over the sphere;
 * - the process's peak RSS.
 * Usage: pnpm bench:search [--sizes 10000,100000] [--m M] [--ef EF]. Last line: one JSON object.
 */
import "../harness/bench-tmp";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_INDEX_TUNING,
  KnowledgeBase,
  UseLiteEmbedder,
  VectorIndex,
  bundledDocuments,
} from "@nephoran/shared/knowledge";
import { percentile } from "../harness/stats";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    m: { type: "string", default: String(DEFAULT_INDEX_TUNING.m) },
    ef: { type: "string", default: String(DEFAULT_INDEX_TUNING.efSearch) },
  },
});
const SIZES = (values.sizes as string).split(",").map(Number);
const M = Number(values.m);
const EF = Number(values.ef);
const QUERIES = 1000;
const WARM_UP = 100;
const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) => round(percentile(xs, p));

// mulberry32: a full-period 32-bit generator (a float LCG repeats within thousands of draws).
let seed = 7;
const uniform = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());

// 1. Embedding throughput: every sentence of the bundled corpus.
const embedder = new UseLiteEmbedder();
const docs = bundledDocuments();
const sentences = [
  ...new Set(
    docs.flatMap((d) =>
      d.text
        .split(/(?<=[.!?])\s+|\n+/)
        .map((s) => s.replace(/[#*`|]/g, " ").trim())
        .filter((s) => s.length > 20),
    ),
  ),
];
await embedder.embed(["warm up"]);
let t = performance.now();
const real = await embedder.embed(sentences);
const embedPerSecond = sentences.length / ((performance.now() - t) / 1000);
log(`embedded ${sentences.length} sentences: ${embedPerSecond.toFixed(1)}/s`);
const DIM = embedder.dim;

// 2. Ingest of the bundled corpus and hybrid search, on the same model.
const questions = [
  "which function terminates the N3 user plane tunnel",
  "what port does NGAP use",
  "traffic steering policy threshold",
  "how many devices can an mMTC slice serve",
  "DU latency to the radio unit",
];
async function knowledgeRun(on: UseLiteEmbedder) {
  const dir = mkdtempSync(join(tmpdir(), "nephoran-search-bench-"));
  const kb = new KnowledgeBase(join(dir, "kb.db"), on);
  await on.embed(["warm up"]);
  let t = performance.now();
  const ingested = await kb.ingest(docs);
  const ingestS = (performance.now() - t) / 1000;
  log(`${on.runtime}: ingested ${ingested.chunks} chunks in ${ingestS.toFixed(1)} s`);
  // The five asked over and over (their embeddings kept after the first time), then 100 never asked before.
  const kbLat: number[] = [];
  for (let i = 0; i < 100; i++) {
    t = performance.now();
    await kb.search(questions[i % questions.length] as string, { k: 5 });
    kbLat.push(performance.now() - t);
  }
  const newLat: number[] = [];
  for (let i = 0; i < 100; i++) {
    t = performance.now();
    await kb.search(`${questions[i % questions.length] as string} at edge${String(i).padStart(3, "0")}`, {
      k: 5,
    });
    newLat.push(performance.now() - t);
  }
  kb.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    corpus_chunks: ingested.chunks,
    ingest_chunks_per_s: round(ingested.chunks / ingestS, 1),
    hybrid_search_p50_ms: pct(kbLat, 50),
    hybrid_search_p99_ms: pct(kbLat, 99),
    new_question_p50_ms: pct(newLat, 50),
    new_question_p99_ms: pct(newLat, 99),
  };
}
const knowledge = await knowledgeRun(embedder);
// The same model on TensorFlow.js (WebAssembly), where the native runtime cannot load: the peer figure.
const wasm = new UseLiteEmbedder("wasm");
await wasm.embed(["warm up"]);
t = performance.now();
await wasm.embed(sentences);
const wasmEmbedPerSecond = sentences.length / ((performance.now() - t) / 1000);
const wasmKnowledge = await knowledgeRun(wasm);

// 3. The index at each size.
const point = (): Float32Array => {
  const a = real[Math.floor(uniform() * real.length)] as Float32Array;
  const b = real[Math.floor(uniform() * real.length)] as Float32Array;
  const w = uniform();
  const v = a.map((x, j) => w * x + (1 - w) * (b[j] as number) + 0.02 * gauss());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const indexRuns = SIZES.map((n) => {
  const vectors = Array.from({ length: n }, point);
  const t0 = performance.now();
  const index = VectorIndex.create({ model: "bench", dim: DIM, generation: 1 }, n, {
    ...DEFAULT_INDEX_TUNING,
    m: M,
    efSearch: EF,
  });
  vectors.forEach((v, i) => index.add(i, v));
  const buildS = (performance.now() - t0) / 1000;
  // Every query drawn first, then timed back to back with nothing else allocating between them (the
  // brute-force truth comes after), through the product's wrapper and straight on hnswlib-node.
  const queries = Array.from({ length: QUERIES + WARM_UP }, point);
  const plain = queries.map((q) => Array.from(q));
  const timed = (fn: (i: number) => unknown): number[] => {
    for (let i = 0; i < WARM_UP; i++) fn(QUERIES + i);
    (globalThis as { gc?: () => void }).gc?.();
    const out: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const t1 = performance.now();
      fn(i);
      out.push(performance.now() - t1);
    }
    return out;
  };
  const results: { id: number }[][] = [];
  const lat = timed((i) => (results[i] = index.search(queries[i] as Float32Array, 10)));
  const rawLat = timed((i) => index.native.searchKnn(plain[i] as number[], 10));
  let found = 0;
  const scores = new Float32Array(n);
  for (let q = 0; q < QUERIES; q++) {
    const qv = queries[q] as Float32Array;
    for (let i = 0; i < n; i++) {
      const v = vectors[i] as Float32Array;
      let s = 0;
      for (let j = 0; j < DIM; j++) s += (v[j] as number) * (qv[j] as number);
      scores[i] = s;
    }
    const truth = [...scores.keys()]
      .sort((x, y) => (scores[y] as number) - (scores[x] as number))
      .slice(0, 10);
    const ids = new Set((results[q] ?? []).map((h) => h.id));
    found += truth.filter((x) => ids.has(x)).length;
  }
  const r = {
    vectors: n,
    build_s: round(buildS, 1),
    recall_at_10: round(found / (QUERIES * 10)),
    query_p50_ms: pct(lat, 50),
    query_p99_ms: pct(lat, 99),
    raw_hnswlib_query_p50_ms: pct(rawLat, 50),
    raw_hnswlib_query_p99_ms: pct(rawLat, 99),
  };
  log(JSON.stringify(r));
  return r;
});

console.log(
  JSON.stringify({
    model: embedder.id,
    dim: DIM,
    m: M,
    ef_search: EF,
    runtime: embedder.runtime,
    embed_sentences_per_s: round(embedPerSecond, 1),
    ...knowledge,
    wasm: { embed_sentences_per_s: round(wasmEmbedPerSecond, 1), ...wasmKnowledge },
    index: indexRuns,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
