/**
 * Assurance said in words: "keep latency under 5 ms", "keep throughput above 2 Gbps", "make sure UPF
 * sustains 10 Gbps". Each is an expectation the site keeps checking *and* acts on (the closed loop), so the
 * plan gets the expectation and `assurance.remediate`. Taken out of the sentence before the rest is read
 * (as a staged rollout is), so "keep" is never read as a site name; "make sure X sustains …" with no other
 * action in the sentence means the intent runs X.
 */
import type { Expectation, ExpectationTarget } from "../domain";

const NUM = "(\\d+(?:\\.\\d+)?)";
const JOIN = "(?:[,;]?\\s*(?:\\band\\s+)?)";
const BELOW = /^(?:under|below|less than|at most|within)$/i;

/** Mbit/s from a number and its unit (Gbps, Gbit/s, Mbps, Mbit/s). */
const mbps = (n: number, unit: string) => (/^g/i.test(unit) ? n * 1000 : n);

const TARGETS: Record<string, ExpectationTarget> = {
  latency: "latency_ms",
  delay: "latency_ms",
  throughput: "throughput_mbps",
  "downlink throughput": "dl_throughput_mbps",
  "uplink throughput": "ul_throughput_mbps",
  availability: "availability",
};

const KEEP = new RegExp(
  `${JOIN}\\b(?:keep|hold)\\s+(?:the\\s+)?(latency|delay|downlink throughput|uplink throughput|throughput|availability)\\s+` +
    `(under|below|less than|at most|within|over|above|more than|at least)\\s+${NUM}\\s*(ms|%|gbps|gbit/s|mbps|mbit/s)?`,
  "i",
);
const SUSTAIN = new RegExp(
  `${JOIN}\\bmake\\s+sure\\s+(?:the\\s+)?([a-z][a-z0-9-]*)\\s+(?:sustains|carries|handles|delivers)\\s+${NUM}\\s*(gbps|gbit/s|mbps|mbit/s)`,
  "i",
);
const ACTION =
  /\b(?:deploy|scale|create|delete|remove|configure|apply|set\s+up|bring\s+up|launch|install|roll\s+out|add)\b/i;

export interface SaidAssurance {
  readonly text: string;
  readonly expectations: Expectation[];
  /** The closed loop is asked for. */
  readonly remediate: boolean;
}

export function splitAssurance(text: string): SaidAssurance {
  const expectations: Expectation[] = [];
  let rest = text;
  let runs: string | undefined;
  for (let m = KEEP.exec(rest); m; m = KEEP.exec(rest)) {
    const [, what, how, n, unit = ""] = m as unknown as [string, string, string, string, string?];
    const target = TARGETS[what.toLowerCase()] as ExpectationTarget;
    const value = target.endsWith("throughput_mbps") ? mbps(Number(n), unit) : Number(n);
    expectations.push({ target, condition: BELOW.test(how) ? "IS_LESS_THAN" : "IS_GREATER_THAN", value });
    rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`;
  }
  for (let m = SUSTAIN.exec(rest); m; m = SUSTAIN.exec(rest)) {
    const [, nf, n, unit] = m as unknown as [string, string, string, string];
    runs ??= nf.toLowerCase();
    expectations.push({
      target: "throughput_mbps",
      condition: "IS_GREATER_THAN",
      value: mbps(Number(n), unit),
    });
    rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`;
  }
  if (!expectations.length) return { text, expectations, remediate: false };
  let tidy = rest
    .replace(/\s+/g, " ")
    .replace(/(?:\s*(?:,|;|\band\b))+\s*$/i, "")
    .trim();
  if (runs && !ACTION.test(tidy)) tidy = `deploy ${runs} ${tidy}`.trim();
  return { text: tidy, expectations, remediate: true };
}
