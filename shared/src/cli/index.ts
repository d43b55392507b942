export type { CliIo, Command } from "./io";
export { EXIT, UsageError } from "./io";
export { runCli, runProcess } from "./run";
export { untilStopped } from "./signals";
export { formatPlan, formatRefusal } from "./format";
import { catalogCommand } from "./commands/catalog";
import { planCommand } from "./commands/plan";
import { kbCommand } from "./commands/kb";
import { schemaCommand } from "./commands/schema";

/** The commands every `nephoran` binary has; hub and agent add their own. */
export const SHARED_COMMANDS = [planCommand, catalogCommand, schemaCommand, kbCommand] as const;
export type { HubClient } from "./hub-client";
export { CLIENT_FLAGS, HubCallError, guarded, hubClient } from "./hub-client";
