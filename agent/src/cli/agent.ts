import { parseArgs } from "node:util";
import type { Command } from "@nephoran/shared";
import { EXIT } from "@nephoran/shared";
import { Agent } from "../agent";
import { AGENT_FLAGS, configFromFlags } from "./options";

export const agentCommand: Command = {
  name: "agent",
  summary: "run the edge agent for one site until stopped (SIGINT/SIGTERM)",
  usage:
    "nephoran agent --site NAME [--kubeconfig F | --target kubernetes|directory:DIR] [--data DIR] [--relist SECONDS]",
  async run(args, io) {
    const { values } = parseArgs({ args: [...args], options: AGENT_FLAGS, strict: true });
    const config = configFromFlags(values, io);
    const agent = new Agent(config);
    io.err(`nephoran agent: site ${config.site}, target ${agent.target.describe}, data ${config.dataDir}\n`);
    agent.start();
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      process.once("SIGINT", done);
      process.once("SIGTERM", done);
    });
    await agent.stop();
    return EXIT.ok;
  },
};
