#!/usr/bin/env node
// `pnpm nephoran …` from the repository: every command of the product, the agent's and the hub's
// together (the agent's edge binary, agent/bin/nephoran-agent, runs the bundle an edge box carries).
import { AGENT_COMMANDS } from "../agent/dist/index.js";
import { HUB_COMMANDS } from "../hub/dist/index.js";
import { runProcess } from "../shared/dist/index.js";

await runProcess([...AGENT_COMMANDS, ...HUB_COMMANDS]);
