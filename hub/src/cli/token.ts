/** `nephoran token create|list|revoke`: API tokens by role, issued and revoked by an admin. */
import { parseArgs } from "node:util";
import type { Command } from "@nephoran/shared";
import { CLIENT_FLAGS, EXIT, UsageError, hubClient } from "@nephoran/shared";
import type { Json } from "./output";
import { guarded, show } from "./output";

const ROLES = ["viewer", "operator", "admin"];

export const tokenCommand: Command = {
  name: "token",
  summary: "API tokens on a hub: create (by role, optionally expiring), list, revoke",
  usage:
    "nephoran token create NAME --role viewer|operator|admin [--ttl SECONDS] | list | revoke ID   [--hub URL] [--token T] [--json]",
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...CLIENT_FLAGS, role: { type: "string" }, ttl: { type: "string" } },
      allowPositionals: true,
      strict: true,
    });
    const [verb, arg] = positionals;
    const client = hubClient(values, io);
    return guarded(io, async () => {
      switch (verb) {
        case "create": {
          if (!arg) throw new UsageError("give the token's name: nephoran token create NAME --role ROLE");
          if (!values.role || !ROLES.includes(values.role))
            throw new UsageError(`give --role: one of ${ROLES.join(", ")}`);
          const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
          if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0))
            throw new UsageError("--ttl is a whole number of seconds");
          const r = (
            await client.request("POST", "/v1/tokens", {
              name: arg,
              role: values.role,
              ...(ttl !== undefined ? { ttlSeconds: ttl } : {}),
            })
          ).json as Json;
          show(io, values.json, r, () => `${String(r["token"])}\n`);
          if (!values.json)
            io.err(
              `API token ${String(r["id"])} (${String(r["role"])}), shown once; ${r["expiresAt"] ? `expires ${String(r["expiresAt"])}` : "valid until revoked"}\n`,
            );
          return EXIT.ok;
        }
        case "list": {
          const r = (await client.request("GET", "/v1/tokens")).json as { items: Json[] };
          show(io, values.json, r.items, () =>
            r.items
              .map(
                (t) =>
                  `${String(t["id"]).padEnd(18)} ${String(t["role"]).padEnd(9)} ${t["revokedAt"] ? "revoked " : t["expiresAt"] ? "expiring" : "active  "} ${String(t["name"]).padEnd(20)} last used ${String(t["lastUsedAt"] ?? "never")}\n`,
              )
              .join(""),
          );
          return EXIT.ok;
        }
        case "revoke": {
          if (!arg) throw new UsageError("give the token's id: nephoran token revoke ID");
          await client.request("DELETE", `/v1/tokens/${encodeURIComponent(arg)}`);
          io.out(`revoked ${arg}\n`);
          return EXIT.ok;
        }
        default:
          throw new UsageError(`unknown verb "${verb ?? ""}": create, list or revoke`);
      }
    });
  },
};
