/**
 * What grounds the LLM planner: the k best passages for a text from the knowledge base at `file`, whose
 * bundled documents are brought up to date when it is first asked (unchanged ones are not embedded again).
 * The knowledge code loads only then, so a planner that never asks a model never carries it.
 */
import type { EmbedderChoice, KnowledgeBase } from "../../knowledge";

export function knowledgeRetriever(
  file: string,
  choice: EmbedderChoice,
  k = 4,
): (text: string) => Promise<string[]> {
  let kb: Promise<KnowledgeBase> | undefined;
  const open = async () => {
    const { KnowledgeBase, bundledDocuments, chooseEmbedder } = await import("../../knowledge");
    const base = new KnowledgeBase(file, chooseEmbedder(choice));
    try {
      await base.ingest(bundledDocuments());
    } catch (e) {
      base.close();
      throw e;
    }
    return base;
  };
  return async (text) => {
    // A failed opening is tried again on the next question.
    const base = await (kb ??= open().catch((e: unknown) => {
      kb = undefined;
      throw e;
    }));
    return (await base.search(text, { k })).map((h) => h.text);
  };
}
