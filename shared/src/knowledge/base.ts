/**
 * The knowledge base: documents chunked with their headings, each chunk embedded and stored in SQLite
 * (WAL) with its vector, a BM25 index (FTS5) for keywords and an HNSW index for vectors. Ingest is
 * incremental: a document whose text did not change is not embedded again.
 */
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { Catalog } from "../catalog";
import { applyMigrations, statementCache } from "../sqlite";
import type { ChunkOptions } from "./chunk";
import { chunkDocument, DEFAULT_CHUNKING } from "./chunk";
import type { Embedder } from "./embedder";
import { tokens } from "./embedder";
import { KB_MIGRATIONS } from "./migrations";
import { VectorIndex } from "./vector-index";

export interface KbDocument {
  /** Where it came from (a path relative to the ingested folder); the document's identity. */
  readonly source: string;
  readonly title: string;
  readonly text: string;
}

export interface IngestResult {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly chunks: number;
  readonly reembedded: number;
}

export interface SearchHit {
  readonly chunkId: number;
  readonly source: string;
  readonly heading: string;
  readonly text: string;
  readonly nfs: readonly string[];
  /** Reciprocal-rank fusion of the two rankings below; what hits are ordered by. */
  readonly score: number;
  readonly vectorScore: number | null;
  readonly keywordScore: number | null;
}

export interface SearchOptions {
  readonly k?: number;
  /** Only chunks about this NF (catalog id). */
  readonly nf?: string;
  /** Only chunks of this document (source). */
  readonly source?: string;
  /** Combine vector and keyword (BM25) rankings; off: vectors only. */
  readonly hybrid?: boolean;
}

export class KnowledgeError extends Error {
  override readonly name = "KnowledgeError";
}

const catalog = new Catalog();
const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** Per NF, a pattern of its id and aliases as whole words. */
const NF_PATTERNS = catalog.list().map((e) => ({
  id: e.id,
  re: new RegExp(`(?<![a-z0-9-])(?:${[e.id, ...e.aliases].map(escape).join("|")})(?![a-z0-9-])`, "i"),
}));
/** The catalog NFs a text is about, by id or alias. */
function nfsIn(text: string): string[] {
  return NF_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.id);
}

const RRF_K = 60;
/** Questions whose embeddings are kept (about 2 KB each at 512-d): people and planners ask again. */
const QUESTIONS_KEPT = 256;

export class KnowledgeBase {
  readonly #db: Database.Database;
  readonly #stmt: (sql: string) => Database.Statement;
  readonly #indexFile: string | undefined;
  #index: VectorIndex | undefined;
  /** The latest questions' embeddings, least recently asked first. */
  readonly #questions = new Map<string, Float32Array>();

  constructor(
    readonly file: string,
    readonly embedder: Embedder,
    private readonly chunking: ChunkOptions = DEFAULT_CHUNKING,
  ) {
    this.#db = new Database(file);
    this.#stmt = statementCache(this.#db);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#db.pragma("foreign_keys = ON");
    applyMigrations(this.#db, KB_MIGRATIONS);
    this.#indexFile = file === ":memory:" ? undefined : `${file}.hnsw`;
  }

  close(): void {
    this.#db.close();
  }

  #meta(key: string): string | undefined {
    return (this.#stmt("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)
      ?.value;
  }

  #setMeta(key: string, value: string): void {
    this.#stmt("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
      key,
      value,
    );
  }

  #generation(): number {
    return Number(this.#meta("generation") ?? "0");
  }

  stats(): { documents: number; chunks: number; model: string | null; dim: number | null } {
    const n = (sql: string) => (this.#stmt(sql).get() as { n: number }).n;
    const dim = this.#meta("dim");
    return {
      documents: n("SELECT count(*) AS n FROM documents"),
      chunks: n("SELECT count(*) AS n FROM chunks"),
      model: this.#meta("model") ?? null,
      dim: dim ? Number(dim) : null,
    };
  }

  /**
   * Brings the store to `docs`: new and changed documents are chunked and embedded, unchanged ones kept;
   * with `prune`, documents not given are removed. A model or dimension change re-embeds every chunk.
   */
  async ingest(docs: readonly KbDocument[], opts: { prune?: boolean } = {}): Promise<IngestResult> {
    let reembedded = 0;
    if (this.#meta("model") !== this.embedder.id || this.#meta("dim") !== String(this.embedder.dim)) {
      reembedded = await this.#reembedAll();
    }
    const existing = new Map(
      (
        this.#stmt("SELECT id, source, hash FROM documents").all() as {
          id: number;
          source: string;
          hash: string;
        }[]
      ).map((d) => [d.source, d]),
    );
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    let chunkCount = 0;
    for (const doc of docs) {
      const hash = createHash("sha256").update(doc.title).update("\0").update(doc.text).digest("hex");
      const before = existing.get(doc.source);
      existing.delete(doc.source);
      if (before?.hash === hash) {
        unchanged++;
        continue;
      }
      const chunks = chunkDocument(doc.text, doc.title, this.chunking);
      const vectors = chunks.length ? await this.embedder.embed(chunks.map((c) => c.text)) : [];
      // Every chunk gets a vector of the model's dimension, or the document is not stored at all.
      if (vectors.length !== chunks.length || vectors.some((v) => v.length !== this.embedder.dim))
        throw new KnowledgeError(
          `${doc.source}: the embedder returned ${vectors.length} vectors for ${chunks.length} chunks`,
        );
      this.#db.transaction(() => {
        if (before) this.#stmt("DELETE FROM documents WHERE id = ?").run(before.id);
        const id = Number(
          this.#stmt("INSERT INTO documents (source, title, hash, ingested_at) VALUES (?, ?, ?, ?)").run(
            doc.source,
            doc.title,
            hash,
            new Date().toISOString(),
          ).lastInsertRowid,
        );
        const ins = this.#stmt(
          "INSERT INTO chunks (document_id, ordinal, heading, text, nfs, vector) VALUES (?, ?, ?, ?, ?, ?)",
        );
        chunks.forEach((c, i) => {
          const v = vectors[i] as Float32Array;
          ins.run(
            id,
            c.ordinal,
            c.heading,
            c.text,
            JSON.stringify(nfsIn(`${c.heading}\n${c.text}`)),
            blobOf(v),
          );
        });
        this.#setMeta("generation", String(this.#generation() + 1));
      })();
      if (before) updated++;
      else added++;
      chunkCount += chunks.length;
    }
    let removed = 0;
    if (opts.prune && existing.size) {
      this.#db.transaction(() => {
        for (const d of existing.values()) this.#stmt("DELETE FROM documents WHERE id = ?").run(d.id);
        this.#setMeta("generation", String(this.#generation() + 1));
      })();
      removed = existing.size;
    }
    if (added || updated || removed || reembedded) this.#index = undefined;
    this.#ensureIndex();
    return { added, updated, unchanged, removed, chunks: chunkCount, reembedded };
  }

  async #reembedAll(): Promise<number> {
    const rows = this.#stmt("SELECT id, text FROM chunks ORDER BY id").all() as {
      id: number;
      text: string;
    }[];
    const out: [number, Float32Array][] = [];
    for (let i = 0; i < rows.length; i += 64) {
      const batch = rows.slice(i, i + 64);
      const vs = await this.embedder.embed(batch.map((r) => r.text));
      batch.forEach((r, j) => out.push([r.id, vs[j] as Float32Array]));
    }
    this.#db.transaction(() => {
      const up = this.#stmt("UPDATE chunks SET vector = ? WHERE id = ?");
      for (const [id, v] of out) up.run(blobOf(v), id);
      this.#setMeta("model", this.embedder.id);
      this.#setMeta("dim", String(this.embedder.dim));
      this.#setMeta("generation", String(this.#generation() + 1));
    })();
    return rows.length;
  }

  /** The HNSW index for the store as it is: loaded if saved for this model and generation, else rebuilt. */
  #ensureIndex(): VectorIndex {
    const identity = { model: this.embedder.id, dim: this.embedder.dim, generation: this.#generation() };
    if (this.#index) return this.#index;
    const loaded = this.#indexFile ? VectorIndex.load(this.#indexFile, identity) : undefined;
    if (loaded) return (this.#index = loaded);
    const rows = this.#stmt("SELECT id, vector FROM chunks").all() as { id: number; vector: Buffer }[];
    const index = VectorIndex.create(identity, rows.length);
    for (const r of rows) index.add(r.id, vectorOf(r.vector));
    if (this.#indexFile) index.save(this.#indexFile, identity.generation);
    return (this.#index = index);
  }

  /** A question's embedding: embedded once, then kept while it is among the latest asked. */
  async #embedQuestion(query: string): Promise<Float32Array> {
    const key = query.trim().replace(/\s+/g, " ");
    let v = this.#questions.get(key);
    if (v) this.#questions.delete(key);
    else [v] = (await this.embedder.embed([key])) as [Float32Array];
    this.#questions.set(key, v);
    if (this.#questions.size > QUESTIONS_KEPT)
      this.#questions.delete(this.#questions.keys().next().value as string);
    return v;
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const k = opts.k ?? 5;
    const pool = Math.max(k * 4, 20);
    let allowed: Set<number> | undefined;
    if (opts.nf || opts.source) {
      const rows = this.#stmt(
        `SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
           WHERE (? IS NULL OR EXISTS (SELECT 1 FROM json_each(c.nfs) WHERE value = ?)) AND (? IS NULL OR d.source = ?)`,
      ).all(opts.nf ?? null, opts.nf ?? null, opts.source ?? null, opts.source ?? null) as { id: number }[];
      allowed = new Set(rows.map((r) => r.id));
    }
    const vector = this.#ensureIndex().search(
      await this.#embedQuestion(query),
      pool,
      allowed ? (id) => allowed.has(id) : undefined,
    );
    const keyword = opts.hybrid === false ? [] : this.#keyword(query, pool, allowed);
    const fused = new Map<
      number,
      { score: number; vectorScore: number | null; keywordScore: number | null }
    >();
    vector.forEach((h, rank) =>
      fused.set(h.id, { score: 1 / (RRF_K + rank + 1), vectorScore: h.score, keywordScore: null }),
    );
    keyword.forEach((h, rank) => {
      const f = fused.get(h.id) ?? { score: 0, vectorScore: null, keywordScore: null };
      fused.set(h.id, { ...f, score: f.score + 1 / (RRF_K + rank + 1), keywordScore: h.score });
    });
    const top = [...fused].sort((a, b) => b[1].score - a[1].score).slice(0, k);
    const get = this.#stmt(
      "SELECT c.heading, c.text, c.nfs, d.source FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?",
    );
    return top.map(([id, s]) => {
      const r = get.get(id) as { heading: string; text: string; nfs: string; source: string };
      return {
        chunkId: id,
        source: r.source,
        heading: r.heading,
        text: r.text,
        nfs: JSON.parse(r.nfs) as string[],
        ...s,
      };
    });
  }

  /** BM25 over the chunk text (FTS5); the query's words, any of them. */
  #keyword(query: string, limit: number, allowed?: Set<number>): { id: number; score: number }[] {
    const words = [...new Set(tokens(query))];
    if (!words.length) return [];
    const match = words.map((w) => `"${w.replace(/"/g, '""')}"`).join(" OR ");
    const rows = this.#stmt(
      "SELECT rowid AS id, bm25(chunks_fts) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?",
    ).all(match, allowed ? limit * 10 : limit) as { id: number; score: number }[];
    return rows
      .filter((r) => !allowed || allowed.has(r.id))
      .slice(0, limit)
      .map((r) => ({ id: r.id, score: -r.score }));
  }
}

/** A vector as SQLite stores it: its bytes, without a copy. */
function blobOf(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function vectorOf(b: Buffer): Float32Array {
  // A copy: the buffer's memory belongs to SQLite's row and may be unaligned for a Float32Array view.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
