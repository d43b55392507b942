/**
 * Rules-planner benchmark: plans every corpus intent many times and prints the figures as one JSON
 * object on the last line. Usage: pnpm bench:plan [rounds]
 */
import "../harness/bench-tmp";
import { Catalog, RulesPlanner, defaultGuardrailPolicy } from "@nephoran/shared";
import { loadCorpus } from "../corpus/corpus";
import { percentile } from "../harness/stats";

const rounds = Number(process.argv[2] ?? 200);
const texts = loadCorpus().map((c) => c.text);
const planner = new RulesPlanner({ catalog: new Catalog(), policy: defaultGuardrailPolicy() });

for (let i = 0; i < 20; i++) for (const t of texts) planner.planSync(t); // warm-up

const samples = new Float64Array(rounds * texts.length);
let k = 0;
let planned = 0;
const started = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (const t of texts) {
    const t0 = process.hrtime.bigint();
    const result = planner.planSync(t);
    samples[k++] = Number(process.hrtime.bigint() - t0) / 1000;
    if (result.ok) planned++;
  }
}
const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
samples.sort();
const pct = (p: number) => percentile(samples, p);
const round = (x: number) => Math.round(x * 10) / 10;

console.log(
  `planned ${samples.length} intents (${texts.length} corpus texts × ${rounds} rounds) in ${elapsedS.toFixed(2)} s`,
);
console.log(
  JSON.stringify({
    bench: "plan",
    intents: samples.length,
    corpusTexts: texts.length,
    plannedShare: Math.round((planned / samples.length) * 1000) / 1000,
    p50Us: round(pct(50)),
    p90Us: round(pct(90)),
    p99Us: round(pct(99)),
    maxUs: round(samples[samples.length - 1] ?? Number.NaN),
    intentsPerSecond: Math.round(samples.length / elapsedS),
    node: process.version,
  }),
);
