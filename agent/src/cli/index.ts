import { SHARED_COMMANDS } from "@nephoran/shared";
import { agentCommand } from "./agent";
import { applyCommand } from "./apply";

/** Everything the `nephoran` binary on an edge box can do. */
export const AGENT_COMMANDS = [...SHARED_COMMANDS, agentCommand, applyCommand] as const;
export { agentCommand, applyCommand };
