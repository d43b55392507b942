/**
 * Splits a document into overlapping chunks that keep their headings: each chunk's text starts with the
 * path of headings it sits under, so a paragraph about "ports" still says which NF it is about.
 */
export interface Chunk {
  /** Position in the document, from 0. */
  readonly ordinal: number;
  /** "Title > Section > Subsection". */
  readonly heading: string;
  /** The heading path, a blank line, then the body: what is embedded and indexed. */
  readonly text: string;
}

export interface ChunkOptions {
  /** Largest body in characters (a paragraph longer than this is cut at sentence ends). */
  readonly maxChars: number;
  /** Characters of the previous chunk repeated at the start of the next one in the same section. */
  readonly overlap: number;
}

export const DEFAULT_CHUNKING: ChunkOptions = { maxChars: 1000, overlap: 150 };

interface Section {
  readonly heading: string;
  readonly body: string;
}

function sections(text: string, title: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let body: string[] = [];
  let inFence = false;
  const flush = () => {
    const b = body.join("\n").trim();
    if (b) out.push({ heading: (path.length ? path : [title]).join(" > "), body: b });
    body = [];
  };
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (/^```/.test(line)) inFence = !inFence;
    const m = inFence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m) {
      flush();
      const level = (m[1] as string).length;
      path.length = Math.min(path.length, level - 1);
      path[level - 1] = m[2] as string;
      for (let i = 0; i < path.length; i++) path[i] ??= "";
      continue;
    }
    body.push(line);
  }
  flush();
  return out.map((s) => ({ ...s, heading: s.heading.split(" > ").filter(Boolean).join(" > ") || title }));
}

/** Pieces of at most `max` characters, cut at paragraph, then sentence, then word ends. */
function pieces(body: string, max: number): string[] {
  const out: string[] = [];
  const push = (p: string) => {
    if (p.length <= max) return void out.push(p);
    const sentences = p.split(/(?<=[.!?])\s+(?=[A-Z0-9"(`])/);
    if (sentences.length > 1) return void sentences.forEach((x) => push(x));
    for (let i = 0; i < p.length; i += max) {
      let end = Math.min(p.length, i + max);
      const space = p.lastIndexOf(" ", end);
      if (end < p.length && space > i + max / 2) end = space;
      out.push(p.slice(i, end).trim());
      i = end - max;
    }
  };
  for (const para of body.split(/\n\s*\n/)) if (para.trim()) push(para.trim());
  return out;
}

export function chunkDocument(text: string, title: string, opts: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  const out: Chunk[] = [];
  for (const s of sections(text, title)) {
    let current = "";
    const emit = () => {
      if (!current.trim()) return;
      out.push({ ordinal: out.length, heading: s.heading, text: `${s.heading}\n\n${current.trim()}` });
      // The next chunk of this section starts with the end of this one.
      const tail = current.slice(-opts.overlap);
      const cut = tail.indexOf(" ");
      current = cut >= 0 && opts.overlap > 0 ? tail.slice(cut + 1) : "";
    };
    for (const p of pieces(s.body, opts.maxChars)) {
      if (current && current.length + p.length + 2 > opts.maxChars + opts.overlap) emit();
      current = current ? `${current}\n\n${p}` : p;
    }
    emit();
  }
  return out;
}
