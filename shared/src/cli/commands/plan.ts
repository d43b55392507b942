import { parseArgs } from "node:util";
import { Catalog } from "../../catalog";
import { defaultGuardrailPolicy } from "../../guardrails";
import { RulesPlanner } from "../../planner";
import { formatPlan, formatRefusal } from "../format";
import type { Command } from "../io";
import { EXIT, UsageError } from "../io";

export const planCommand: Command = {
  name: "plan",
  summary: "turn a plain-language intent into a validated plan",
  usage: 'nephoran plan [--offline] [--json] "<intent text>"',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { offline: { type: "boolean", default: false }, json: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
    const text = positionals.join(" ");
    if (positionals.length === 0) throw new UsageError("give the intent text to plan");
    const planner = new RulesPlanner({ catalog: new Catalog(), policy: defaultGuardrailPolicy() });
    const result = await planner.plan(text);
    if (!result.ok) {
      io.err(formatRefusal(result.error));
      if (values.json) io.out(`${JSON.stringify({ error: result.error.toJSON() }, null, 2)}\n`);
      return EXIT.refused;
    }
    io.out(values.json ? `${JSON.stringify(result.value.plan, null, 2)}\n` : formatPlan(result.value));
    for (const w of values.json ? result.value.warnings : []) io.err(`warning: ${w}\n`);
    return EXIT.ok;
  },
};
