import { parseArgs } from "node:util";
import type { Command } from "@nephoran/shared";
import {
  EXIT,
  PlanningError,
  UsageError,
  blockingMessage,
  formatPlan,
  formatRefusal,
} from "@nephoran/shared";
import { pino } from "pino";
import { Agent } from "../agent";
import { TargetError } from "../target";
import { AGENT_FLAGS, configFromFlags } from "./options";

export const applyCommand: Command = {
  name: "apply",
  summary: "plan an intent offline, store it at the site and reconcile once",
  usage:
    'nephoran apply --site NAME [--kubeconfig F | --target kubernetes|directory:DIR] [--data DIR] "<intent text>"',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: AGENT_FLAGS,
      allowPositionals: true,
      strict: true,
    });
    const text = positionals.join(" ").trim();
    if (!text) throw new UsageError("give the intent text");
    const config = configFromFlags(values, io);
    const agent = new Agent(config, {
      logger: pino({ level: values["log-level"] ?? "warn" }, pino.destination(2)),
    });
    try {
      let added;
      try {
        added = await agent.addLocalIntent(text);
      } catch (e: unknown) {
        if (e instanceof PlanningError) {
          io.err(formatRefusal(e));
          return EXIT.refused;
        }
        throw e;
      }
      io.out(
        formatPlan({
          plan: added.plan,
          source: "rules",
          confidence: added.plan.confidence,
          warnings: added.warnings,
          site: agent.config.site,
        }),
      );
      try {
        await agent.reconcileOnce();
      } catch (e: unknown) {
        if (e instanceof TargetError) {
          io.err(
            `nephoran apply: stored as ${added.id}, but the target is not reachable: ${e.message}\nthe running agent will apply it when it is.\n`,
          );
          return EXIT.failure;
        }
        throw e;
      }
      const intent = agent.store.getIntent(added.id);
      const reason = (intent ? blockingMessage(intent.conditions) : undefined) ?? "";
      io.out(
        `Intent ${added.id}: ${intent?.phase ?? "unknown"}${reason ? ` (${reason})` : ""} on ${agent.target.describe}\n`,
      );
      return intent?.phase === "Applied" || intent?.phase === "Ready" ? EXIT.ok : EXIT.failure;
    } finally {
      agent.store.close();
    }
  },
};
