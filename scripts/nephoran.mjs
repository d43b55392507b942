#!/usr/bin/env node
// `pnpm nephoran …` from the repository: every command of the product, the agent's and the hub's
// together (the agent's own binary, agent/bin/nephoran.js, carries only what an edge box runs).
import { AGENT_COMMANDS } from "../agent/dist/index.js";
import { HUB_COMMANDS } from "../hub/dist/index.js";
import { runCli } from "../shared/dist/index.js";

try {
  process.exitCode = await runCli([...AGENT_COMMANDS, ...HUB_COMMANDS], process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
  });
} catch (e) {
  process.stderr.write(`nephoran: ${e?.stack ?? String(e)}\n`);
  process.exitCode = 1;
}
