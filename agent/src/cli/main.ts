/** Composition root of the `nephoran` binary shipped with the agent. */
import { runProcess } from "@nephoran/shared";
import { AGENT_COMMANDS } from "./index";

await runProcess(AGENT_COMMANDS);
