import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KnowledgeBase } from "./base";
import { chunkDocument } from "./chunk";
import { bundledKnowledgeDir, readDocuments } from "./corpus";
import type { Embedder } from "./embedder";
import { HashingEmbedder } from "./embedder";
import { VectorIndex } from "./vector-index";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nephoran-kb-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Counts what it embeds, to prove unchanged documents are not embedded again. */
class CountingEmbedder implements Embedder {
  embedded = 0;
  readonly inner: HashingEmbedder;
  constructor(readonly dim = 64) {
    this.inner = new HashingEmbedder(dim);
  }
  get id(): string {
    return this.inner.id;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.embedded += texts.length;
    return this.inner.embed(texts);
  }
}

describe("chunking", () => {
  it("keeps the heading path in every chunk and overlaps long sections", () => {
    const body = Array.from(
      { length: 40 },
      (_, i) => `Sentence number ${i} about the UPF and N3 tunnels.`,
    ).join(" ");
    const chunks = chunkDocument(
      `# Core\n\nIntro.\n\n## UPF\n\n${body}\n\n### Ports\n\nGTP-U on UDP 2152.`,
      "doc",
      {
        maxChars: 400,
        overlap: 80,
      },
    );
    expect(chunks[0]?.heading).toBe("Core");
    const upf = chunks.filter((c) => c.heading === "Core > UPF");
    expect(upf.length).toBeGreaterThan(2);
    for (const c of upf) expect(c.text.startsWith("Core > UPF\n\n")).toBe(true);
    // The start of each following chunk repeats the end of the one before.
    const tail = (upf[0]?.text ?? "").slice(-40);
    expect((upf[1]?.text ?? "").includes(tail.slice(tail.indexOf(" ") + 1))).toBe(true);
    expect(chunks.at(-1)?.heading).toBe("Core > UPF > Ports");
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
  });
});

describe("knowledge base", () => {
  it("ingests the bundled corpus and ranks UPF material first for the N3 question", async () => {
    const docs = readDocuments(bundledKnowledgeDir());
    expect(docs.reduce((n, d) => n + d.text.length, 0)).toBeGreaterThan(40_000);
    const kb = new KnowledgeBase(join(dir, "kb.db"), new HashingEmbedder());
    const r = await kb.ingest(docs);
    expect(r.added).toBe(docs.length);
    const [top] = await kb.search("which function terminates the N3 user plane tunnel", { k: 5 });
    expect(top?.nfs).toContain("upf");
    expect(top?.heading).toMatch(/UPF|reference points|N3/i);
    kb.close();
  });

  it("is incremental: unchanged documents are not embedded again, changed ones are replaced", async () => {
    const emb = new CountingEmbedder();
    const kb = new KnowledgeBase(join(dir, "kb.db"), emb);
    const docs = [
      { source: "a.md", title: "A", text: "# A\n\nThe AMF terminates N2 over SCTP 38412." },
      { source: "b.md", title: "B", text: "# B\n\nThe SMF controls the UPF over PFCP on UDP 8805." },
    ];
    await kb.ingest(docs);
    const first = emb.embedded;
    const again = await kb.ingest(docs);
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect(emb.embedded).toBe(first);
    const changed = await kb.ingest(
      [
        docs[0] as (typeof docs)[0],
        { ...(docs[1] as (typeof docs)[0]), text: "# B\n\nThe NRF is the registry." },
      ],
      {
        prune: true,
      },
    );
    expect(changed).toMatchObject({ updated: 1, unchanged: 1 });
    const hits = await kb.search("PFCP 8805", { k: 3 });
    expect(hits.every((h) => !h.text.includes("PFCP"))).toBe(true);
    expect(kb.stats()).toMatchObject({ documents: 2, model: "hashing-64", dim: 64 });
    kb.close();
  });

  it("embeds a question asked again once, while it is among the latest 256 asked", async () => {
    const emb = new CountingEmbedder();
    const kb = new KnowledgeBase(join(dir, "kb.db"), emb);
    await kb.ingest([{ source: "a.md", title: "A", text: "# A\n\nThe AMF terminates N2 over SCTP 38412." }]);
    const asked = () => emb.embedded;
    const before = asked();
    const first = await kb.search("which port does N2 use", { k: 1 });
    const again = await kb.search("  which port   does N2 use ", { k: 1 });
    expect(again).toEqual(first);
    expect(asked()).toBe(before + 1);
    for (let i = 0; i < 256; i++) await kb.search(`question ${i}`, { k: 1 });
    expect(asked()).toBe(before + 257);
    await kb.search("which port does N2 use", { k: 1 }); // pushed out by 256 newer ones: embedded again
    expect(asked()).toBe(before + 258);
    await kb.search("question 255", { k: 1 }); // still kept
    expect(asked()).toBe(before + 258);
    kb.close();
  });

  it("filters by NF and by document, and rebuilds its index for another model", async () => {
    const file = join(dir, "kb.db");
    const docs = readDocuments(bundledKnowledgeDir());
    let kb = new KnowledgeBase(file, new HashingEmbedder(128));
    await kb.ingest(docs);
    const amf = await kb.search("interfaces and sizing", { k: 5, nf: "amf" });
    expect(amf.length).toBeGreaterThan(0);
    for (const h of amf) expect(h.nfs).toContain("amf");
    const glossary = await kb.search("UPF", { k: 3, source: "glossary.md" });
    for (const h of glossary) expect(h.source).toBe("glossary.md");
    kb.close();
    // Another model: every chunk is embedded again and searches still work.
    kb = new KnowledgeBase(file, new HashingEmbedder(96));
    const r = await kb.ingest(docs);
    expect(r.reembedded).toBeGreaterThan(0);
    expect(kb.stats()).toMatchObject({ model: "hashing-96", dim: 96 });
    expect((await kb.search("which function terminates the N3 user plane tunnel"))[0]?.nfs).toContain("upf");
    kb.close();
  });
});

describe("HNSW index", () => {
  it("finds at least 95% of the true 10 nearest neighbours (recall@10 against brute force)", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const dim = 48;
    const n = 3000;
    const unit = () => {
      const v = Float32Array.from({ length: dim }, rnd);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const vectors = Array.from({ length: n }, unit);
    const index = VectorIndex.create({ model: "random", dim, generation: 1 }, n);
    vectors.forEach((v, i) => index.add(i, v));
    let found = 0;
    const queries = 100;
    for (let q = 0; q < queries; q++) {
      const query = unit();
      const truth = vectors
        .map((v, i) => ({ i, s: v.reduce((a, x, j) => a + x * (query[j] as number), 0) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((x) => x.i);
      const got = new Set(index.search(query, 10).map((h) => h.id));
      found += truth.filter((t) => got.has(t)).length;
    }
    expect(found / (queries * 10)).toBeGreaterThanOrEqual(0.95);
  });
});
