/** Composition root of the `nephoran` binary. */
import { SHARED_COMMANDS, runCli } from "./index";

const code = await runCli(SHARED_COMMANDS, process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
