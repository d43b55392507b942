/**
 * The site's knowledge base: opened, and its embedding model loaded, only when a search first needs it,
 * so an agent that is never asked carries neither. The bundled documents are ingested on first use
 * (incrementally: a restart re-embeds nothing that did not change).
 */
import { execFile } from "node:child_process";
import type { EmbedderChoice, KnowledgeBase, SearchHit, SearchOptions } from "@nephoran/shared/knowledge";
import type { Logger } from "pino";

/** Brings the knowledge base at `file` up to the bundled documents. */
export type Ingester = (file: string, choice: EmbedderChoice) => Promise<void>;

/**
 * Ingests in a child process running this same program (`nephoran kb ingest`): embedding a corpus grows the
 * model's memory far beyond what answering a question needs, and that memory is never given back; in a
 * child it is gone when the child exits.
 */
export function childProcessIngester(
  entry: string,
  execArgv: readonly string[] = process.execArgv,
): Ingester {
  return (file, choice) =>
    new Promise((resolve, reject) => {
      const args = [...execArgv, entry, "kb", "ingest", "--db", file];
      if (choice.model) args.push("--model", choice.model);
      if (choice.modelDir) args.push("--model-dir", choice.modelDir);
      execFile(process.execPath, args, { timeout: 600_000 }, (err, _out, stderr) =>
        err
          ? reject(new Error(`ingest failed: ${stderr.trim().split("\n").pop() || err.message}`))
          : resolve(),
      );
    });
}

export type KnowledgeState = "not loaded" | "loading" | "ready" | "failed";

export interface KnowledgeStatus {
  readonly state: KnowledgeState;
  readonly model: string | null;
  readonly documents: number | null;
  readonly chunks: number | null;
  readonly error: string | null;
  /** Where the model runs once a search has loaded it: "native", or "wasm" (and why not native). */
  readonly runtime: string | null;
  /** How long the searches of the loaded knowledge base took (the model's first load aside). */
  readonly queries: QueryTimes;
}

/** Search durations as a Prometheus histogram: how many took at most each bound (seconds), their sum and count. */
export interface QueryTimes {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

const QUERY_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

export class KnowledgeUnavailableError extends Error {
  override readonly name = "KnowledgeUnavailableError";
}

export class LocalKnowledge {
  #kb: Promise<KnowledgeBase> | undefined;
  #ready: KnowledgeBase | undefined;
  #error: string | null = null;
  readonly #queries = { counts: QUERY_BOUNDS.map(() => 0), sum: 0, count: 0 };

  constructor(
    private readonly deps: {
      file: string;
      choice: EmbedderChoice;
      logger: Logger;
      /** How the bundled documents get in; in this process when not given. */
      ingest?: Ingester | undefined;
    },
  ) {}

  status(): KnowledgeStatus {
    const s = this.#ready?.stats();
    return {
      state: this.#ready ? "ready" : this.#error ? "failed" : this.#kb ? "loading" : "not loaded",
      model: s?.model ?? null,
      documents: s?.documents ?? null,
      chunks: s?.chunks ?? null,
      error: this.#error,
      runtime: this.#ready?.embedder.runtime ?? null,
      queries: {
        bounds: QUERY_BOUNDS,
        counts: [...this.#queries.counts],
        sum: this.#queries.sum,
        count: this.#queries.count,
      },
    };
  }

  async search(question: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const kb = await this.#open();
    const started = performance.now();
    const hits = await kb.search(question, opts);
    const seconds = (performance.now() - started) / 1000;
    const q = this.#queries;
    QUERY_BOUNDS.forEach((bound, i) => {
      if (seconds <= bound) q.counts[i] = (q.counts[i] ?? 0) + 1;
    });
    q.sum += seconds;
    q.count++;
    return hits;
  }

  #open(): Promise<KnowledgeBase> {
    return (this.#kb ??= (async () => {
      const started = Date.now();
      try {
        const { KnowledgeBase, bundledDocuments, chooseEmbedder } =
          await import("@nephoran/shared/knowledge");
        if (this.deps.ingest) await this.deps.ingest(this.deps.file, this.deps.choice);
        const kb = new KnowledgeBase(this.deps.file, chooseEmbedder(this.deps.choice));
        try {
          if (!this.deps.ingest) await kb.ingest(bundledDocuments());
          if (kb.stats().chunks === 0) throw new Error("the knowledge base is empty after ingest");
        } catch (e) {
          kb.close();
          throw e;
        }
        this.#ready = kb;
        this.#error = null;
        this.deps.logger.info({ ms: Date.now() - started, ...kb.stats() }, "knowledge base loaded");
        return kb;
      } catch (e: unknown) {
        this.#error = e instanceof Error ? e.message : String(e);
        this.#kb = undefined; // the next search tries again
        this.deps.logger.error({ err: this.#error }, "knowledge base could not load");
        throw new KnowledgeUnavailableError(`the knowledge base could not load: ${this.#error}`);
      }
    })());
  }

  async close(): Promise<void> {
    const kb = await this.#kb?.catch(() => undefined);
    kb?.close();
    this.#ready = undefined;
    this.#kb = undefined;
  }
}
