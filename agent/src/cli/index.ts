import { SHARED_COMMANDS } from "@nephoran/shared";
import { agentCommand } from "./agent";
import { applyCommand } from "./apply";
import { enrollCommand } from "./enroll";

/** Everything the `nephoran` binary on an edge box can do. */
export const AGENT_COMMANDS = [...SHARED_COMMANDS, agentCommand, applyCommand, enrollCommand] as const;
export { agentCommand, applyCommand, enrollCommand };
