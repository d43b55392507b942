/** Composition root of the `nephoran` binary shipped with the agent. */
import { runCli } from "@nephoran/shared";
import { AGENT_COMMANDS } from "./index";

try {
  process.exitCode = await runCli(AGENT_COMMANDS, process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
  });
} catch (e: unknown) {
  process.stderr.write(`nephoran: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
}
