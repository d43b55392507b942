import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Command } from "@nephoran/shared";
import { EXIT, UsageError, whyUnreachable } from "@nephoran/shared";
import { AGENT_VERSION } from "../agent";
import { ENROLLMENT_FILE, Enrollment } from "../config";

export const enrollCommand: Command = {
  name: "enroll",
  summary:
    "enroll this site with a hub using a one-time token; keeps the site's credentials in its data folder",
  usage: "nephoran enroll --hub URL [--token TOKEN | NEPHORAN_ENROLL_TOKEN] [--data DIR]",
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { hub: { type: "string" }, token: { type: "string" }, data: { type: "string" } },
      strict: true,
    });
    const hub = values.hub ?? io.env["NEPHORAN_HUB"];
    const token = values.token ?? io.env["NEPHORAN_ENROLL_TOKEN"];
    if (!hub) throw new UsageError("--hub URL is required");
    if (!token) throw new UsageError("--token (or NEPHORAN_ENROLL_TOKEN) is required: ask the hub for one");
    let res: Response;
    try {
      res = await fetch(new URL("/v1/enroll", hub), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token, agentVersion: AGENT_VERSION }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e: unknown) {
      io.err(`cannot reach the hub at ${hub}: ${whyUnreachable(e)}\n`);
      return EXIT.failure;
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!res.ok) {
      io.err(`enrollment refused (${res.status}): ${body.error?.message ?? res.statusText}\n`);
      return EXIT.refused;
    }
    const enrollment = Enrollment.parse(body);
    const dataDir = resolve(
      values.data ?? io.env["NEPHORAN_DATA"] ?? join(".nephoran", `agent-${enrollment.siteId}`),
    );
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, ENROLLMENT_FILE);
    // Written whole or not at all, readable by this user only: it holds the site's secrets.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(enrollment, null, 2)}\n`, { mode: 0o600 });
    chmodSync(`${file}.tmp`, 0o600);
    renameSync(`${file}.tmp`, file);
    io.out(
      `enrolled site ${enrollment.siteId}; ${enrollment.sync ? `syncs over ${enrollment.sync.transport} at ${enrollment.sync.url}` : "the hub offers no sync transport"}\n` +
        `credentials kept in ${file}\nrun: nephoran agent --data ${dataDir} [--kubeconfig FILE | --target directory:DIR]\n`,
    );
    return EXIT.ok;
  },
};
