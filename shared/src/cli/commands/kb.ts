import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "../io";
import { EXIT, UsageError } from "../io";

const USAGE =
  'nephoran kb ingest [DIR] [--db FILE] [--prune] | nephoran kb search [--json] [--k N] [--nf NF] [--db FILE] "<question>"' +
  "   (embeddings: the bundled Universal Sentence Encoder lite by default; --model hashing for feature hashing; " +
  "--model-dir DIR --model ID, or NEPHORAN_MODEL_DIR and NEPHORAN_MODEL, for an ONNX model in a local folder)";

/** The knowledge base: ingest documents (the bundled ones, or a folder of your own) and search them offline. */
export const kbCommand: Command = {
  name: "kb",
  summary: "ingest telecom documents and search them offline (vectors + keywords)",
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        db: { type: "string" },
        json: { type: "boolean", default: false },
        k: { type: "string" },
        nf: { type: "string" },
        prune: { type: "boolean", default: false },
        "model-dir": { type: "string" },
        model: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
    const [verb, ...rest] = positionals;
    if (verb !== "ingest" && verb !== "search") throw new UsageError(USAGE);
    // The knowledge code (SQLite, HNSW) is loaded only by this command.
    const { KnowledgeBase, KnowledgeError, bundledDocuments, chooseEmbedder, readDocuments } =
      await import("../../knowledge");
    let embedder;
    try {
      embedder = chooseEmbedder({
        modelDir: values["model-dir"] ?? io.env["NEPHORAN_MODEL_DIR"],
        model: values.model ?? io.env["NEPHORAN_MODEL"],
      });
    } catch (e: unknown) {
      if (e instanceof KnowledgeError) throw new UsageError(e.message);
      throw e;
    }
    const db = resolve(values.db ?? io.env["NEPHORAN_KB"] ?? join(".nephoran", "kb.db"));
    mkdirSync(dirname(db), { recursive: true });
    const kb = new KnowledgeBase(db, embedder);
    try {
      if (verb === "ingest") {
        // The bundled documents always come along, so a search has the telecom basics beside yours.
        const dir = rest[0] ? resolve(rest[0]) : undefined;
        const yours = dir ? readDocuments(dir).map((d) => ({ ...d, source: `${dir}/${d.source}` })) : [];
        if (dir && !yours.length) throw new UsageError(`no markdown or text documents in ${dir}`);
        const r = await kb.ingest([...bundledDocuments(), ...yours], { prune: values.prune });
        const s = kb.stats();
        io.out(
          `ingested ${dir ?? "the bundled knowledge"}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ` +
            `${r.removed} removed; ${s.documents} documents, ${s.chunks} chunks (${s.model}${embedder.runtime ? ` on ${embedder.runtime}` : ""}) in ${db}\n`,
        );
        return EXIT.ok;
      }
      const question = rest.join(" ").trim();
      if (!question) throw new UsageError("give the question to search for");
      const k = values.k ? Number(values.k) : 5;
      if (!Number.isInteger(k) || k < 1 || k > 50)
        throw new UsageError("--k must be a whole number from 1 to 50");
      // A first search on a fresh machine ingests the bundled knowledge: nothing to download, nothing to set up.
      if (kb.stats().chunks === 0) await kb.ingest(bundledDocuments());
      const hits = await kb.search(question, { k, ...(values.nf ? { nf: values.nf } : {}) });
      if (values.json) io.out(`${JSON.stringify(hits, null, 2)}\n`);
      else
        for (const [i, h] of hits.entries()) {
          const body = h.text.slice(h.heading.length).trim().replace(/\s+/g, " ");
          io.out(
            `${i + 1}. ${h.score.toFixed(4)}  ${h.source} — ${h.heading}\n   ${body.slice(0, 240)}${body.length > 240 ? "…" : ""}\n`,
          );
        }
      return EXIT.ok;
    } finally {
      kb.close();
    }
  },
};
