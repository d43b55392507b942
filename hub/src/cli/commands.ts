/** `nephoran hub`, `nephoran intent …`, `nephoran site …`. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { CliIo, Command } from "@nephoran/shared";
import {
  CLIENT_FLAGS,
  EXIT,
  ListenError,
  UsageError,
  hubClient,
  startTracing,
  untilStopped,
} from "@nephoran/shared";
import { createHub } from "../hub";
import { HubConfig } from "../config";
import { randomUUID } from "node:crypto";
import type { Json } from "./output";
import { guarded, show } from "./output";
import { tokenCommand } from "./token";
import { validateSites } from "./validate";

const intentLine = (i: Json) =>
  `${String(i["id"]).padEnd(18)} r${String(i["revision"]).padEnd(3)} ${String(i["state"]).padEnd(9)} ${String(i["priority"]).padEnd(8)} ${String(i["name"])}\n`;

export const hubCommand: Command = {
  name: "hub",
  summary: "run the hub (REST API, its store, sync with the sites) until stopped",
  usage:
    'nephoran hub [--port P] [--host H] [--data DIR] [--store postgres://USER@HOST:PORT/DB [--store-password-file F]] [--broker-port P | --sync none] [--config FILE.json]   (the store is SQLite in DIR unless a PostgreSQL URL is given, also as NEPHORAN_HUB_STORE; its password comes from PGPASSWORD or the file, never the URL on the command line; NEPHORAN_ADMIN_TOKEN sets the bootstrap admin token; --config holds any HubConfig field, e.g. an external nats or mqtt broker under "sync")',
  // The stop is listened for first: one asked while the hub starts is honoured once it has started.
  run: (args, io) => untilStopped((stop) => serveHub(args, io, stop)),
};

async function serveHub(args: readonly string[], io: CliIo, stop: Promise<NodeJS.Signals>): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
      "log-level": { type: "string" },
      "broker-port": { type: "string" },
      sync: { type: "string" },
      store: { type: "string" },
      "store-password-file": { type: "string" },
      config: { type: "string" },
    },
    strict: true,
  });
  let fromFile: Record<string, unknown> = {};
  if (values.config) {
    try {
      fromFile = JSON.parse(readFileSync(values.config, "utf8")) as Record<string, unknown>;
    } catch (e: unknown) {
      throw new UsageError(`--config ${values.config}: ${(e as Error).message}`);
    }
  }
  if (values.sync && values.sync !== "none" && values.sync !== "embedded")
    throw new UsageError('--sync is "none" or "embedded"; configure nats or mqtt brokers with --config');
  const sync =
    values.sync === "none"
      ? { transport: "none" }
      : values["broker-port"] || values.sync === "embedded"
        ? {
            transport: "embedded",
            ...(values["broker-port"] ? { port: Number(values["broker-port"]) } : {}),
          }
        : undefined;
  if (values.store && /^[a-z]+:\/\/[^/@]*:[^/@]*@/i.test(values.store))
    throw new UsageError(
      "--store: leave the password out of the URL (a command line is visible to every user of the machine): set PGPASSWORD or --store-password-file",
    );
  const store = values.store ?? io.env["NEPHORAN_HUB_STORE"];
  const passwordFile = values["store-password-file"] ?? io.env["NEPHORAN_HUB_STORE_PASSWORD_FILE"];
  const parsed = HubConfig.safeParse({
    ...fromFile,
    ...(store ? { store } : {}),
    ...(passwordFile ? { storePasswordFile: passwordFile } : {}),
    ...(sync ? { sync } : {}),
    dataDir: values.data ?? io.env["NEPHORAN_HUB_DATA"] ?? ".nephoran/hub",
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values["log-level"] ? { logLevel: values["log-level"] } : {}),
    ...(io.env["NEPHORAN_ADMIN_TOKEN"] ? { adminToken: io.env["NEPHORAN_ADMIN_TOKEN"] } : {}),
  });
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  // Traces only when the OTEL_* environment asks for them (an OTLP endpoint). What was traced is sent however
  // the hub ends, a failed start included.
  const stopTracing = await startTracing("nephoran-hub", io.env);
  try {
    let hub, url;
    try {
      hub = await createHub(parsed.data);
      // A stop while the hub still dials its broker ends the start.
      const starting = hub.start();
      url = await Promise.race([starting, stop.then(() => undefined)]);
      if (url === undefined) {
        await hub.stop();
        await starting.catch(() => undefined);
        return EXIT.ok;
      }
    } catch (e: unknown) {
      // The hub undid what it had started; a port it could not take is the operator's to change, in one line.
      if (!(e instanceof ListenError)) throw e;
      io.err(`nephoran hub: ${e.message}\n`);
      return EXIT.failure;
    }
    io.err(
      `nephoran hub: listening on ${url} (API docs ${url}/docs), store ${describeStore(parsed.data)}` +
        `${hub.brokerUrl ? `, sites sync via ${hub.brokerUrl}` : ", sync off"}\n`,
    );
    await stop;
    await hub.stop();
    return EXIT.ok;
  } finally {
    await stopTracing();
  }
}

/** Where the hub keeps its state, for people: a PostgreSQL URL without its password, or the SQLite file. */
function describeStore(c: HubConfig): string {
  if (!c.store) return `${c.dataDir}/hub.db (SQLite)`;
  const u = new URL(c.store);
  return `postgres://${u.username ? `${u.username}@` : ""}${u.host}${u.pathname} (PostgreSQL)`;
}

/** A stage from the command line: a count, a percentage, k=v (sites with that label) or site names. */
function stageArg(
  s: string,
): number | string | { names: string[] } | { matchLabels: Record<string, string> } {
  if (/^\d+$/.test(s)) return Number(s);
  if (s.endsWith("%")) return s;
  if (s.includes("=")) return { matchLabels: Object.fromEntries([s.split("=") as [string, string]]) };
  return { names: s.split("+").filter(Boolean) };
}

/** The rollout strategy the flags give, or undefined when none is given (all at once). */
function strategyFrom(v: {
  canary?: string | undefined;
  waves?: string | undefined;
  "max-failures"?: string | undefined;
  bake?: string | undefined;
  "site-deadline"?: string | undefined;
  manual?: boolean | undefined;
}): Json | undefined {
  const seconds = (flag: string, x: string | undefined) => {
    if (x === undefined) return undefined;
    if (!/^\d+$/.test(x)) throw new UsageError(`--${flag} is a number of seconds`);
    return Number(x);
  };
  const canary =
    v.canary &&
    (/^[a-z0-9-]+(,[a-z0-9-]+)+$/.test(v.canary) ? { names: v.canary.split(",") } : stageArg(v.canary));
  const out: Json = {
    ...(canary ? { canary } : {}),
    ...(v.waves ? { waves: v.waves.split(",").filter(Boolean).map(stageArg) } : {}),
    ...(v["max-failures"] !== undefined
      ? { maxFailures: /^\d+$/.test(v["max-failures"]) ? Number(v["max-failures"]) : v["max-failures"] }
      : {}),
    ...(v.bake !== undefined ? { bakeSeconds: seconds("bake", v.bake) } : {}),
    ...(v["site-deadline"] !== undefined
      ? { siteDeadlineSeconds: seconds("site-deadline", v["site-deadline"]) }
      : {}),
    ...(v.manual ? { approval: "manual" } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** A rollout in lines: its state, each stage's sites by state, the failures. */
function rolloutLines(r: Json): string {
  const stages = r["stages"] as {
    name: string;
    sites: number;
    status: string;
    counts: Record<string, number>;
  }[];
  const failures = r["failures"] as { site: string; why: string }[];
  return [
    `rollout of revision ${String(r["revision"])}: ${String(r["state"])}${r["reason"] ? ` — ${String(r["reason"])}` : ""}`,
    ...stages.map((s) => {
      const counts = Object.entries(s.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
      return `  ${s.name}: ${s.sites} sites, ${s.status}${counts ? ` (${counts})` : ""}`;
    }),
    ...failures.map((f) => `  ${f.site}: ${f.why}`),
    `  failures ${String(r["failuresCounted"])} of a budget of ${String(r["failureBudget"])}`,
    "",
  ].join("\n");
}

export const intentCommand: Command = {
  name: "intent",
  summary: "manage fleet intents on a hub: create, list, get, delete, watch, staged rollouts, rollback",
  usage:
    'nephoran intent create "<text>" [--sites a,b | --labels k=v | --all] [--allow-unknown-sites] [ROLLOUT] | list | get ID | delete ID | watch ID [--timeout S] | rollout status|pause|resume|abort ID | rollback ID --to N | revisions ID   [--hub URL] [--token T] [--json]\n  ROLLOUT: --canary N|P%|site,… [--waves N|P%|k=v,…] [--max-failures N|P%] [--bake S] [--site-deadline S] [--manual]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        ...CLIENT_FLAGS,
        sites: { type: "string" },
        labels: { type: "string" },
        all: { type: "boolean", default: false },
        "allow-unknown-sites": { type: "boolean", default: false },
        name: { type: "string" },
        interval: { type: "string" },
        timeout: { type: "string" },
        canary: { type: "string" },
        waves: { type: "string" },
        "max-failures": { type: "string" },
        bake: { type: "string" },
        "site-deadline": { type: "string" },
        manual: { type: "boolean", default: false },
        to: { type: "string" },
      },
      allowPositionals: true,
      strict: true,
    });
    const [verb, ...rest] = positionals;
    const client = hubClient(values, io);
    const rollout = strategyFrom(values);
    return guarded(io, async () => {
      switch (verb) {
        case "create": {
          const text = rest.join(" ").trim();
          if (!text) throw new UsageError("give the intent text");
          const selector = {
            ...(values.sites ? { names: values.sites.split(",").filter(Boolean) } : {}),
            ...(values.labels
              ? {
                  matchLabels: Object.fromEntries(
                    values.labels.split(",").map((kv) => kv.split("=") as [string, string]),
                  ),
                }
              : {}),
            ...(values.all ? { all: true } : {}),
          };
          // One key for this create, so a retry after a lost answer cannot create a second intent.
          const r = await client.request(
            "POST",
            "/v1/intents",
            {
              text,
              ...(Object.keys(selector).length ? { siteSelector: selector } : {}),
              ...(values.name ? { name: values.name } : {}),
              ...(values["allow-unknown-sites"] ? { allowUnknownSites: true } : {}),
              ...(rollout ? { rollout } : {}),
            },
            { "idempotency-key": randomUUID() },
          );
          const i = r.json as Json;
          show(
            io,
            values.json,
            i,
            () =>
              `created ${String(i["id"])} (revision ${String(i["revision"])}) for ${JSON.stringify(i["siteSelector"])}\n`,
          );
          return EXIT.ok;
        }
        case "list": {
          const items: Json[] = [];
          for (let cursor: string | null = null; ;) {
            const r = await client.request(
              "GET",
              `/v1/intents?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
            );
            const page = r.json as { items: Json[]; nextCursor: string | null };
            items.push(...page.items);
            cursor = page.nextCursor;
            if (!cursor) break;
          }
          show(io, values.json, items, () =>
            items.length ? items.map(intentLine).join("") : "no intents\n",
          );
          return EXIT.ok;
        }
        case "get":
        case "watch": {
          const id = rest[0];
          if (!id) throw new UsageError(`give the intent id: nephoran intent ${verb} ID`);
          const once = async () =>
            (await client.request("GET", `/v1/intents/${encodeURIComponent(id)}`)).json as Json;
          const human = (i: Json) => {
            const r = i["rollup"] as {
              counts: Record<string, number>;
              worst: string | null;
              notReady: { siteId: string; phase: string; message?: string }[];
              targetedSites: number;
              settled: number;
            };
            const counts = Object.entries(r.counts)
              .filter(([, n]) => n > 0)
              .map(([p, n]) => `${p} ${n}`)
              .join(", ");
            return [
              intentLine(i).trimEnd(),
              `  sites: ${r.targetedSites} targeted, ${r.settled} settled — ${counts || "none"}${r.worst ? ` (worst: ${r.worst})` : ""}`,
              ...r.notReady.map((s) => `  ${s.siteId}: ${s.phase}${s.message ? ` — ${s.message}` : ""}`),
              "",
            ].join("\n");
          };
          if (verb === "get") {
            const i = await once();
            show(io, values.json, i, () => human(i));
            return EXIT.ok;
          }
          const every = Number(values.interval ?? 2) * 1000;
          const timeout = values.timeout === undefined ? Infinity : Number(values.timeout) * 1000;
          if (!(timeout > 0)) throw new UsageError("--timeout is a number of seconds above 0");
          const until = Date.now() + timeout;
          let saidUntargeted = false;
          for (;;) {
            const i = await once();
            const staged: Json | undefined = i["rollout"]
              ? ((await client.request("GET", `/v1/intents/${encodeURIComponent(id)}/rollout`)).json as Json)
              : undefined;
            show(
              io,
              values.json,
              i,
              () => `${new Date().toISOString()} ${human(i)}${staged ? rolloutLines(staged) : ""}`,
            );
            const r = i["rollup"] as { targetedSites: number; settled: number };
            // Ready everywhere, or written where a target cannot observe readiness (Applied, settled).
            if (r.targetedSites > 0 && r.settled === r.targetedSites) return EXIT.ok;
            if (r.targetedSites === 0 && !saidUntargeted) {
              saidUntargeted = true;
              io.err(
                `no site is targeted by ${id} (${JSON.stringify(i["siteSelector"])}): waiting for a matching site to enroll — Ctrl-C to stop\n`,
              );
            }
            if (Date.now() + every > until) {
              io.err(`${id} has not settled on every targeted site after ${values.timeout ?? ""} s\n`);
              return EXIT.failure;
            }
            await new Promise((res) => setTimeout(res, every));
          }
        }
        case "delete": {
          const id = rest[0];
          if (!id) throw new UsageError("give the intent id: nephoran intent delete ID");
          await client.request("DELETE", `/v1/intents/${encodeURIComponent(id)}`);
          io.out(`deleting ${id} from every site\n`);
          return EXIT.ok;
        }
        case "rollout": {
          const [action, id] = rest;
          if (!id || !["status", "pause", "resume", "abort"].includes(action ?? ""))
            throw new UsageError("nephoran intent rollout status|pause|resume|abort ID");
          const path = `/v1/intents/${encodeURIComponent(id)}/rollout`;
          const r = (
            action === "status"
              ? await client.request("GET", path)
              : await client.request("POST", `${path}/${action as string}`)
          ).json as Json;
          show(io, values.json, r, () => rolloutLines(r));
          return EXIT.ok;
        }
        case "rollback": {
          const id = rest[0];
          const to = Number(values.to);
          if (!id || !Number.isInteger(to) || to < 1)
            throw new UsageError(
              "nephoran intent rollback ID --to REVISION (a revision number, see revisions ID)",
            );
          const i = (
            await client.request("POST", `/v1/intents/${encodeURIComponent(id)}/rollback`, { toRevision: to })
          ).json as Json;
          show(
            io,
            values.json,
            i,
            () =>
              `${id} is back to revision ${to}'s spec as revision ${String(i["revision"])}, at every site at once\n`,
          );
          return EXIT.ok;
        }
        case "revisions": {
          const id = rest[0];
          if (!id) throw new UsageError("give the intent id: nephoran intent revisions ID");
          const r = (await client.request("GET", `/v1/intents/${encodeURIComponent(id)}/revisions`)).json as {
            items: Json[];
          };
          show(io, values.json, r.items, () =>
            r.items
              .map(
                (i) =>
                  `r${String(i["revision"])}  ${String(i["updatedAt"])}  ${JSON.stringify((i["plan"] as Json)["actions"])}${i["rollout"] ? "  staged" : ""}\n`,
              )
              .join(""),
          );
          return EXIT.ok;
        }
        default:
          throw new UsageError(
            `unknown verb "${verb ?? ""}": create, list, get, delete, watch, rollout, rollback or revisions`,
          );
      }
    });
  },
};

export const siteCommand: Command = {
  name: "site",
  summary: "sites on a hub: list, get, enrollment tokens, and validation after a bootstrap",
  usage:
    "nephoran site list | get ID | token NAME [--labels k=v,…] [--ttl SECONDS] | validate ID… | validate --all [--max-lag SECONDS]   [--hub URL] [--token T] [--json]",
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        ...CLIENT_FLAGS,
        labels: { type: "string" },
        ttl: { type: "string" },
        all: { type: "boolean", default: false },
        "max-lag": { type: "string", default: "60" },
      },
      allowPositionals: true,
      strict: true,
    });
    const [verb, arg] = positionals;
    const client = hubClient(values, io);
    return guarded(io, async () => {
      switch (verb) {
        case "list": {
          const r = (await client.request("GET", "/v1/sites?limit=500")).json as { items: Json[] };
          show(io, values.json, r.items, () =>
            r.items.length
              ? r.items
                  .map(
                    (s) =>
                      `${String(s["id"]).padEnd(20)} ${String(s["presence"]).padEnd(8)} desired ${String(s["desiredVersion"])} reported ${String(s["reportedVersion"])} ${JSON.stringify(s["labels"])}\n`,
                  )
                  .join("")
              : "no sites\n",
          );
          return EXIT.ok;
        }
        case "get": {
          if (!arg) throw new UsageError("give the site id");
          const s = (await client.request("GET", `/v1/sites/${encodeURIComponent(arg)}`)).json as Json & {
            intents: Json[];
          };
          show(io, values.json, s, () =>
            [
              `${String(s["id"])}  ${String(s["presence"])}  labels ${JSON.stringify(s["labels"])}  last seen ${String(s["lastSeen"] ?? "never")}`,
              `  versions: desired ${String(s["desiredVersion"])}, reported ${String(s["reportedVersion"])}`,
              ...s.intents.map(
                (i) => `  ${String(i["intentId"])} r${String(i["revision"])}: ${String(i["phase"])}`,
              ),
              "",
            ].join("\n"),
          );
          return EXIT.ok;
        }
        case "token": {
          if (!arg) throw new UsageError("give the site name: nephoran site token NAME");
          const labels = values.labels
            ? Object.fromEntries(values.labels.split(",").map((kv) => kv.split("=") as [string, string]))
            : {};
          const r = (
            await client.request("POST", "/v1/enrollment-tokens", {
              site: arg,
              labels,
              ...(values.ttl ? { ttlSeconds: Number(values.ttl) } : {}),
            })
          ).json as Json;
          show(io, values.json, r, () => `${String(r["token"])}\n`);
          if (!values.json)
            io.err(`one-time enrollment token for ${arg}, valid until ${String(r["expiresAt"])}\n`);
          return EXIT.ok;
        }
        case "validate": {
          const maxLag = Number(values["max-lag"]);
          if (!Number.isFinite(maxLag) || maxLag < 0)
            throw new UsageError(`--max-lag must be a number of seconds, got "${values["max-lag"] ?? ""}"`);
          return validateSites(client, io, {
            sites: positionals.slice(1),
            all: values.all ?? false,
            maxLag,
            json: values.json ?? false,
          });
        }
        default:
          throw new UsageError(`unknown verb "${verb ?? ""}": list, get, token or validate`);
      }
    });
  },
};

export const HUB_COMMANDS = [hubCommand, intentCommand, siteCommand, tokenCommand] as const;
