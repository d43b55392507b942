import { parseArgs } from "node:util";
import { Catalog } from "../../catalog";
import { defaultGuardrailPolicy } from "../../guardrails";
import type { PlanOutput, Planner } from "../../planner";
import { LlmPlanner, RulesPlanner, knowledgeRetriever } from "../../planner";
import { formatPlan, formatRefusal } from "../format";
import type { Command } from "../io";
import { EXIT, UsageError } from "../io";
import { CLIENT_FLAGS, guarded, hubClient } from "../hub-client";

export const planCommand: Command = {
  name: "plan",
  summary: "turn a plain-language intent into a validated plan",
  usage:
    'nephoran plan [--offline | --hub URL [--token T]] [--json] "<intent text>"   (--hub plans at the hub, which knows its sites by name; an OpenAI-compatible LLM is used when NEPHORAN_LLM_URL and NEPHORAN_LLM_MODEL are set; NEPHORAN_LLM_KEY, NEPHORAN_LLM_TIMEOUT_MS)',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...CLIENT_FLAGS, offline: { type: "boolean", default: false } },
      allowPositionals: true,
      strict: true,
    });
    const text = positionals.join(" ");
    if (positionals.length === 0) throw new UsageError("give the intent text to plan");
    // A plan reads the same wherever it was made: readable, or the IntentPlan as JSON with warnings apart.
    const show = (out: PlanOutput): number => {
      io.out(values.json ? `${JSON.stringify(out.plan, null, 2)}\n` : formatPlan(out));
      for (const w of values.json ? out.warnings : []) io.err(`warning: ${w}\n`);
      return EXIT.ok;
    };
    if (values.hub !== undefined) {
      if (values.offline) throw new UsageError("--offline and --hub: choose one");
      const client = hubClient(values, io);
      return guarded(io, async () =>
        show((await client.request("POST", "/v1/plan", { text })).json as PlanOutput),
      );
    }
    const catalog = new Catalog();
    const policy = defaultGuardrailPolicy();
    const rules = new RulesPlanner({ catalog, policy });
    const url = io.env["NEPHORAN_LLM_URL"];
    const model = io.env["NEPHORAN_LLM_MODEL"];
    let planner: Planner = rules;
    if (!values.offline && url && model) {
      const timeoutMs = Number(io.env["NEPHORAN_LLM_TIMEOUT_MS"] ?? 20_000);
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
        throw new UsageError("NEPHORAN_LLM_TIMEOUT_MS must be a positive number");
      const apiKey = io.env["NEPHORAN_LLM_KEY"];
      planner = new LlmPlanner({
        config: { baseUrl: url, model, timeoutMs, ...(apiKey ? { apiKey } : {}) },
        catalog,
        policy,
        fallback: rules,
        // The bundled knowledge (feature hashing, in memory), or the knowledge base NEPHORAN_KB names with
        // the model it was built with (NEPHORAN_MODEL / NEPHORAN_MODEL_DIR, as `nephoran kb` uses them).
        retrieve: io.env["NEPHORAN_KB"]
          ? knowledgeRetriever(io.env["NEPHORAN_KB"], {
              model: io.env["NEPHORAN_MODEL"],
              modelDir: io.env["NEPHORAN_MODEL_DIR"],
            })
          : knowledgeRetriever(":memory:", { model: "hashing" }),
      });
    }
    const result = await planner.plan(text);
    if (!result.ok) {
      io.err(formatRefusal(result.error));
      if (values.json) io.out(`${JSON.stringify({ error: result.error.toJSON() }, null, 2)}\n`);
      return EXIT.refused;
    }
    return show(result.value);
  },
};
