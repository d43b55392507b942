/**
 * The Universal Sentence Encoder lite's tokenizer: SentencePiece unigram pieces (the model package's
 * `vocab.json`, `[piece, score]` by id), the best-scoring split of the text found by dynamic programming.
 * It gives the same ids as the tokenizer the TensorFlow.js model ships with, which the bundled encoder's
 * vectors depend on; id 0 is the unknown piece, and a run of unknown pieces becomes one.
 */

const SEPARATOR = "\u2581";
/** Ids below this are control symbols (<unk>, <s>, </s>, …), never matched in text. */
const RESERVED = 6;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** The id of the piece ending here, if one does. */
  id?: number;
  score: number;
  length: number;
}

export class SentencePiece {
  readonly #root: TrieNode = { children: new Map(), score: 0, length: 0 };

  constructor(private readonly vocabulary: readonly (readonly [string, number])[]) {
    for (let id = RESERVED; id < vocabulary.length; id++) {
      const [piece, score] = vocabulary[id] as readonly [string, number];
      let node = this.#root;
      let length = 0;
      for (const symbol of piece) {
        length++;
        let next = node.children.get(symbol);
        if (!next) node.children.set(symbol, (next = { children: new Map(), score: 0, length }));
        node = next;
      }
      node.id = id;
      node.score = score;
    }
  }

  encode(text: string): number[] {
    const normalised = text.normalize("NFKC");
    if (!normalised) return [];
    const symbols = [...(SEPARATOR + normalised.replace(/ /g, SEPARATOR))];
    const n = symbols.length;
    // ends[e]: the pieces that end at symbol e, in the order of where they start.
    const ends: { id: number; score: number; length: number }[][] = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.#root.children.get(symbols[i] as string);
      let matched = false;
      for (let j = i; j < n && node; j++) {
        if (node.id !== undefined) {
          ends[j + 1]?.push({ id: node.id, score: node.score, length: node.length });
          matched = true;
        }
        node = node.children.get(symbols[j + 1] as string);
      }
      if (!matched) ends[i + 1]?.push({ id: 0, score: 0, length: 1 });
    }
    const best = new Float64Array(n + 1);
    const words = new Int32Array(n + 1);
    for (let end = 1; end <= n; end++)
      for (const piece of ends[end] as { id: number; score: number; length: number }[]) {
        const score = piece.score + (best[end - piece.length] as number);
        if (best[end] === 0 || score >= (best[end] as number)) {
          best[end] = score;
          words[end] = piece.id;
        }
      }
    const ids: number[] = [];
    for (let at = n; at > 0;) {
      const id = words[at] as number;
      ids.push(id);
      at -= (this.vocabulary[id] as readonly [string, number])[0].length;
    }
    ids.reverse();
    return ids.filter((id, i) => !(id === 0 && ids[i - 1] === 0));
  }
}
