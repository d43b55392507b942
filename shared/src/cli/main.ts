/** Composition root of the `nephoran` binary. */
import { SHARED_COMMANDS, runProcess } from "./index";

await runProcess(SHARED_COMMANDS);
