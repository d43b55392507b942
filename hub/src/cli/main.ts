/** Composition root of the hub's `nephoran` binary: the hub's commands and the shared ones. */
import { SHARED_COMMANDS, runCli } from "@nephoran/shared";
import { HUB_COMMANDS } from "./commands";

try {
  process.exitCode = await runCli([...SHARED_COMMANDS, ...HUB_COMMANDS], process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
  });
} catch (e: unknown) {
  process.stderr.write(`nephoran: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
}
