import { mkdirSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CliIo, Command } from "@nephoran/shared";
import { EXIT, ListenError, startTracing, untilStopped } from "@nephoran/shared";
import { Agent } from "../agent";
import { childProcessIngester } from "../knowledge";
import { serveStatus } from "../status";
import { lockDataDir, StoreError, StoreErrorCode } from "../store";
import { AGENT_FLAGS, configFromFlags } from "./options";

export const agentCommand: Command = {
  name: "agent",
  summary: "run the edge agent for one site until stopped (SIGINT/SIGTERM)",
  usage:
    "nephoran agent --site NAME | --data DIR (enrolled) [--kubeconfig F | --target kubernetes|directory:DIR] [--relist SECONDS]\n" +
    "  [--status-listen HOST:PORT|PORT|off (127.0.0.1:9480)] [--status-token-file F | NEPHORAN_STATUS_TOKEN]\n" +
    "  [--model use-lite[:native|:wasm]|hashing|ID] [--model-dir DIR]   (the local knowledge base's model, loaded on first search)\n" +
    "  [--allow-namespaces a,b,ran-* | NEPHORAN_ALLOW_NAMESPACES]   (where workloads may go; replaces the default NF namespace families)\n" +
    "  [--metrics URL | NEPHORAN_METRICS] [--assurance-interval SECONDS (15)] [--hysteresis N (2)] [--metrics-window 1m]\n" +
    "      (the site's Prometheus: each intent's expectations are measured there and reported as fulfilled or not)\n" +
    "  [--cooldown SECONDS (120)] [--scale-back SECONDS (900)]   (the closed loop of intents with assurance.remediate)\n" +
    "  [--a1 URL | NEPHORAN_A1]   (the near-RT RIC's A1 mediator: A1 policies are put there and their enforcement read back)",
  // The stop is listened for first: one asked while the agent starts is honoured once it has started.
  run: (args, io) => untilStopped((stop) => runAgent(args, io, stop)),
};

async function runAgent(args: readonly string[], io: CliIo, stop: Promise<NodeJS.Signals>): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: AGENT_FLAGS, strict: true });
  const config = configFromFlags(values, io);
  // One agent runs a site's data folder: a second one started on it stops here, before it touches anything.
  mkdirSync(config.dataDir, { recursive: true });
  let lock;
  try {
    lock = lockDataDir(config.dataDir);
  } catch (e: unknown) {
    if (!(e instanceof StoreError && e.code === StoreErrorCode.InUse)) throw e;
    io.err(`nephoran agent: ${e.message}\n`);
    return EXIT.failure;
  }
  // Let go of whatever way the agent ends, a throw included (the kernel drops it when the process ends, but
  // a caller in the same process would be locked out).
  try {
    return await serveSite(config, io, stop);
  } finally {
    lock.release();
  }
}

/** The agent on its locked data folder, traced when the environment asks, until the stop. */
async function serveSite(
  config: ReturnType<typeof configFromFlags>,
  io: CliIo,
  stop: Promise<NodeJS.Signals>,
): Promise<number> {
  // Traces only when the OTEL_* environment asks for them: otherwise no tracing code is loaded. What was traced
  // is sent however the agent ends, a failed start included.
  const stopTracing = await startTracing(`nephoran-agent`, io.env);
  try {
    return await runSite(config, io, stop);
  } finally {
    await stopTracing();
  }
}

/** The agent with its status endpoint, until the stop. */
async function runSite(
  config: ReturnType<typeof configFromFlags>,
  io: CliIo,
  stop: Promise<NodeJS.Signals>,
): Promise<number> {
  // The knowledge base ingests in a child running this same program, so the agent stays small.
  const entry = process.argv[1];
  const agent = new Agent(config, entry ? { ingest: childProcessIngester(entry) } : {});
  io.err(`nephoran agent: site ${config.site}, target ${agent.target.describe}, data ${config.dataDir}\n`);
  agent.start();
  let status;
  if (config.status) {
    try {
      status = await serveStatus(agent, config.status);
    } catch (e: unknown) {
      await agent.stop();
      if (!(e instanceof ListenError)) throw e;
      io.err(`nephoran agent: ${e.message}\n`);
      return EXIT.failure;
    }
    io.err(`nephoran agent: status at ${status.url}/ (JSON: ${status.url}/status)\n`);
  }
  await stop;
  await status?.close();
  await agent.stop();
  return EXIT.ok;
}
