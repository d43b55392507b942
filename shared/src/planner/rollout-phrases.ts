/**
 * A staged rollout said in words, taken out of an intent's text before it is planned: "roll out to edge01
 * first", "canary on 5 % of sites, then waves of 25 %", "one region at a time", "pause if more than 2 sites
 * fail", "wait 10 minutes between waves", "with manual approval". What is left is the intent itself.
 */
import type { RolloutStrategy, Stage } from "../domain";

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
};
const NAME = "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?";
const NAMES = `${NAME}(?:\\s*(?:,|and)\\s*${NAME})*`;
const PCT = "(\\d{1,3}(?:\\.\\d+)?)\\s*(?:%|percent)";
const namesOf = (s: string): string[] => s.split(/\s*(?:,|\band\b)\s*/).filter(Boolean);

interface Phrase {
  readonly re: RegExp;
  readonly set: (
    m: RegExpExecArray,
    into: { -readonly [K in keyof RolloutStrategy]: RolloutStrategy[K] },
  ) => void;
}

const PHRASES: readonly Phrase[] = [
  {
    re: new RegExp(`\\b(?:roll(?:ing)?\\s+(?:it\\s+)?out\\s+)?(?:to|on|at)\\s+(${NAMES})\\s+first\\b`, "i"),
    set: (m, s) => (s.canary = { names: namesOf((m[1] as string).toLowerCase()) }),
  },
  {
    re: new RegExp(`\\b(?:a\\s+)?canary\\s+(?:on|of|at|to)?\\s*${PCT}(?:\\s+of\\s+(?:the\\s+)?sites)?`, "i"),
    set: (m, s) => (s.canary = `${m[1] as string}%`),
  },
  {
    re: /\b(?:a\s+)?canary\s+(?:on|of|at|to)?\s*(\d+)\s+sites?\b/i,
    set: (m, s) => (s.canary = Number(m[1])),
  },
  {
    re: new RegExp(`\\b(?:a\\s+)?canary\\s+(?:on|at)\\s+(${NAMES})`, "i"),
    set: (m, s) => (s.canary = { names: namesOf((m[1] as string).toLowerCase()) }),
  },
  {
    re: new RegExp(`\\b(?:then\\s+)?(?:in\\s+)?waves\\s+of\\s+${PCT}(?:\\s+of\\s+(?:the\\s+)?sites)?`, "i"),
    set: (m, s) => {
      const p = parseFloat(m[1] as string);
      // Waves of p % until the last, which takes what is left.
      s.waves = Array.from(
        { length: Math.max(0, Math.ceil(100 / p) - 1) },
        (): Stage => `${m[1] as string}%`,
      );
    },
  },
  {
    re: /\b(?:then\s+)?one\s+([a-z][a-z0-9_-]*)\s+at\s+a\s+time\b/i,
    set: (m, s) => (s.by = (m[1] as string).toLowerCase()),
  },
  {
    re: new RegExp(
      `\\b(?:stop|pause|halt|abort|roll\\s+back)\\s+(?:if|when)\\s+(?:more\\s+than\\s+)?(?:(\\d+)\\s+sites?|${PCT}(?:\\s+of\\s+(?:the\\s+)?sites)?)\\s+fails?\\b`,
      "i",
    ),
    set: (m, s) => (s.maxFailures = m[1] !== undefined ? Number(m[1]) : `${m[2] as string}%`),
  },
  {
    re: /\b(?:wait|bake|soak)\s+(?:for\s+)?(\d+)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)\s+(?:between|after\s+each)\s+(?:waves?|stages?)\b/i,
    set: (m, s) => {
      const unit = (m[2] as string).toLowerCase().replace(/s$/, "");
      s.bakeSeconds = Number(m[1]) * (UNITS[unit] ?? 1);
    },
  },
  {
    re: /\b(?:with\s+)?manual\s+approval\b|\bpause\s+for\s+approval\b/i,
    set: (_m, s) => (s.approval = "manual"),
  },
];

/** The rollout the text asks for (none when it asks for none), and the text without those words. */
export function splitRollout(text: string): { text: string; rollout?: RolloutStrategy } {
  const into: { -readonly [K in keyof RolloutStrategy]: RolloutStrategy[K] } = {};
  let rest = text;
  for (const p of PHRASES) {
    const m = p.re.exec(rest);
    if (!m) continue;
    p.set(m, into);
    rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`;
  }
  if (!Object.keys(into).length) return { text };
  // The joins the phrases leave behind: "… at all sites, , then" → "… at all sites".
  const tidy = rest
    .replace(/\s+/g, " ")
    .replace(/(?:\s*(?:,|;|\bthen\b|\band\b))+\s*$/i, "")
    .replace(/\s*,(?:\s*(?:,|\bthen\b))+/gi, ",")
    .trim();
  return { text: tidy, rollout: into };
}
