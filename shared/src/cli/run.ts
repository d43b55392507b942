/** Dispatches `nephoran <command> …` to the commands it is given. */
import type { CliIo, Command } from "./io";
import { EXIT, UsageError } from "./io";

function help(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "nephoran — intent-driven management of 5G core and O-RAN network functions at the edge",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    'Run "nephoran <command> --help" for its usage.',
    "",
  ].join("\n");
}

export async function runCli(
  commands: readonly Command[],
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(help(commands));
    return name === undefined ? EXIT.refused : EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`nephoran: unknown command "${name}"\n\n${help(commands)}`);
    return EXIT.refused;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`usage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e: unknown) {
    if (
      e instanceof UsageError ||
      (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      io.err(`nephoran ${command.name}: ${e.message}\nusage: ${command.usage}\n`);
      return EXIT.refused;
    }
    throw e;
  }
}

/**
 * A binary's whole life: runs `commands` on this process's arguments and sets its exit code. An unexpected
 * failure is one line; its stack trace only with --debug (or NEPHORAN_DEBUG=1).
 */
export async function runProcess(commands: readonly Command[]): Promise<void> {
  const argv = process.argv.slice(2);
  const debug = argv.includes("--debug") || Boolean(process.env["NEPHORAN_DEBUG"]);
  try {
    process.exitCode = await runCli(
      commands,
      argv.filter((a) => a !== "--debug"),
      {
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
        env: process.env,
      },
    );
  } catch (e: unknown) {
    const err = e as Error;
    process.stderr.write(
      debug
        ? `nephoran: ${err?.stack ?? String(e)}\n`
        : `nephoran: ${err?.message ?? String(e)} (run again with --debug for details)\n`,
    );
    process.exitCode = 1;
  }
}
