import { parseArgs } from "node:util";
import { Catalog } from "../../catalog";
import type { Command } from "../io";
import { EXIT } from "../io";

export const catalogCommand: Command = {
  name: "catalog",
  summary: "list the network functions the product can deploy",
  usage: "nephoran catalog [--json]",
  async run(args, io) {
    const { values } = parseArgs({
      args: [...args],
      options: { json: { type: "boolean", default: false } },
      strict: true,
    });
    const specs = new Catalog().list();
    if (values.json) {
      io.out(`${JSON.stringify(specs, null, 2)}\n`);
      return EXIT.ok;
    }
    const rows = specs.map((s) => [
      s.id,
      s.domain,
      s.displayName,
      s.ports.map((p) => `${p.port}/${p.protocol}${p.interface ? ` ${p.interface}` : ""}`).join(", "),
      `${s.resources.default.cpu}/${s.resources.default.memory} (max ${s.resources.max.cpu}/${s.resources.max.memory})`,
      String(s.maxReplicas),
    ]);
    const header = ["ID", "DOMAIN", "NAME", "PORTS", "CPU/MEMORY", "MAX"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: readonly string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd();
    io.out(`${[line(header), ...rows.map(line)].join("\n")}\n`);
    return EXIT.ok;
  },
};
