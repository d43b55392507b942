/** Documents from folders: the knowledge bundled with the product, and what operators add. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { KbDocument } from "./base";

/**
 * The bundled knowledge folder: `shared/knowledge` from the sources or the build, or the copy an edge
 * bundle carries beside its chunks.
 */
export function bundledKnowledgeDir(): string {
  for (const rel of ["../../knowledge", "../knowledge", "./knowledge"]) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, "README.md"))) return dir;
  }
  throw new Error("the bundled knowledge folder is missing from this installation");
}

const KINDS = new Set([".md", ".markdown", ".txt"]);

/** Markdown and text files below `dir` (README files excepted), titled by their first heading. */
export function readDocuments(dir: string): KbDocument[] {
  const out: KbDocument[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (KINDS.has(extname(name).toLowerCase()) && !/^readme\./i.test(name)) {
        const text = readFileSync(p, "utf8");
        const title = /^#\s+(.+)$/m.exec(text)?.[1]?.trim() ?? basename(name, extname(name));
        out.push({ source: relative(dir, p), title, text });
      }
    }
  };
  walk(dir);
  return out;
}
