/** Composition root of the hub's `nephoran` binary: the hub's commands and the shared ones. */
import { SHARED_COMMANDS, runProcess } from "@nephoran/shared";
import { HUB_COMMANDS } from "./commands";

await runProcess([...SHARED_COMMANDS, ...HUB_COMMANDS]);
