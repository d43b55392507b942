/**
 * Knowledge-base benchmark. The HNSW index at 100,000 vectors (384-d, clustered like sentence embeddings):
 * build time, recall@10 against brute force, query p50/p99 on one thread; then hybrid search over the
 * bundled corpus. Usage: pnpm bench:kb [vectors] [M] [efSearch]. Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_INDEX_TUNING,
  HashingEmbedder,
  KnowledgeBase,
  VectorIndex,
  bundledKnowledgeDir,
  readDocuments,
} from "@nephoran/shared/knowledge";

const N = Number(process.argv[2] ?? 100_000);
/** Index tuning: M and efSearch (defaults: the product's). */
const M = Number(process.argv[3] ?? DEFAULT_INDEX_TUNING.m);
const EF = Number(process.argv[4] ?? DEFAULT_INDEX_TUNING.efSearch);
const DIM = 384;
const QUERIES = 300;
let seed = 7;
const uniform = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const gauss = () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) * 1000) / 1000;
};

// Topics as cluster centres, documents as noisy points around them: how sentence embeddings sit.
const centres = Array.from({ length: 1000 }, () => unit(Float32Array.from({ length: DIM }, gauss)));
const point = () => {
  const c = centres[Math.floor(uniform() * centres.length)] as Float32Array;
  return unit(c.map((x) => x + 0.08 * gauss()));
};
const vectors = Array.from({ length: N }, point);

let t = performance.now();
const index = VectorIndex.create({ model: "bench", dim: DIM, generation: 1 }, N, {
  ...DEFAULT_INDEX_TUNING,
  m: M,
  efSearch: EF,
});
vectors.forEach((v, i) => index.add(i, v));
const buildS = (performance.now() - t) / 1000;
process.stderr.write(`built ${N} × ${DIM} in ${buildS.toFixed(1)} s\n`);

const queries = Array.from({ length: QUERIES }, point);
const lat: number[] = [];
let found = 0;
for (const q of queries) {
  t = performance.now();
  const got = index.search(q, 10);
  lat.push(performance.now() - t);
  const scores = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const v = vectors[i] as Float32Array;
    let s = 0;
    for (let j = 0; j < DIM; j++) s += (v[j] as number) * (q[j] as number);
    scores[i] = s;
  }
  const truth = [...scores.keys()].sort((a, b) => (scores[b] as number) - (scores[a] as number)).slice(0, 10);
  const ids = new Set(got.map((h) => h.id));
  found += truth.filter((x) => ids.has(x)).length;
}

const dir = mkdtempSync(join(tmpdir(), "nephoran-kb-bench-"));
const kb = new KnowledgeBase(join(dir, "kb.db"), new HashingEmbedder());
t = performance.now();
await kb.ingest(readDocuments(bundledKnowledgeDir()));
const ingestMs = performance.now() - t;
const questions = [
  "which function terminates the N3 user plane tunnel",
  "what port does NGAP use",
  "traffic steering policy threshold",
  "how many devices can an mMTC slice serve",
  "DU latency to the radio unit",
];
const kbLat: number[] = [];
for (let i = 0; i < 200; i++) {
  t = performance.now();
  await kb.search(questions[i % questions.length] as string, { k: 5 });
  kbLat.push(performance.now() - t);
}
kb.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    vectors: N,
    dim: DIM,
    m: M,
    ef_search: EF,
    hnsw_build_s: Math.round(buildS * 10) / 10,
    recall_at_10: Math.round((found / (QUERIES * 10)) * 1000) / 1000,
    query_p50_ms: pct(lat, 50),
    query_p99_ms: pct(lat, 99),
    corpus_ingest_ms: Math.round(ingestMs),
    hybrid_search_p50_ms: pct(kbLat, 50),
    hybrid_search_p99_ms: pct(kbLat, 99),
  }),
);
