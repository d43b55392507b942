/**
 * Separable verbs: "bring the UPF down to 1", "turn the AMF off", "scale UPF back to 2". English puts the
 * particle after the object; the vocabulary knows the verb with its particle ("bring down"). The particle is
 * moved back beside its verb when only words (the object) stand between them and what follows it ends the
 * phrase (a preposition, punctuation or the end) — the general rule, not a list of sentences.
 */
import type { Token } from "./lexer";

const SEPARABLE: Readonly<Record<string, readonly string[]>> = {
  bring: ["down", "up"],
  scale: ["down", "up", "out", "in", "back"],
  take: ["down"],
  tear: ["down"],
  spin: ["up"],
  stand: ["up"],
  fire: ["up"],
  boot: ["up"],
  shut: ["down"],
  cut: ["down"],
  turn: ["on", "off"],
  switch: ["on", "off"],
};

/** What may follow a moved particle: the object ended there. */
const AFTER = new Set(["to", "by", "at", "on", "in", "for", "from", "and", "with", "please", "now", "again"]);
const MAX_OBJECT_WORDS = 4;

export function joinParticles(tokens: readonly Token[]): Token[] {
  const out = [...tokens];
  for (let i = 0; i < out.length; i++) {
    const verb = out[i];
    if (verb?.kind !== "word") continue;
    const particles = SEPARABLE[verb.lower];
    const next = out[i + 1];
    if (!particles || (next?.kind === "word" && particles.includes(next.lower))) continue;
    for (let j = i + 2; j <= i + 1 + MAX_OBJECT_WORDS && j < out.length; j++) {
      const t = out[j] as Token;
      if (t.kind !== "word") break;
      if (!particles.includes(t.lower)) continue;
      const after = out[j + 1];
      if (
        after === undefined ||
        after.kind === "punct" ||
        (after.kind === "word" && AFTER.has(after.lower))
      ) {
        out.splice(j, 1);
        out.splice(i + 1, 0, t);
      }
      break;
    }
  }
  return out;
}
