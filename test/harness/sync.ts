/** Hub and agents wired over a real transport, for the sync suites and the sync benchmark. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { SiteIntentReport, SiteSyncCredentials } from "@nephoran/shared";
import type { AgentConfigInput, SyncClientOptions } from "@nephoran/agent";
import { Agent, AgentConfig } from "@nephoran/agent";
import type { Hub, HubConfigInput } from "@nephoran/hub";
import { createHub, HubConfig } from "@nephoran/hub";

export type SyncConfigInput = NonNullable<HubConfigInput["sync"]>;

/** Short timers so link faults are noticed in seconds, not minutes. */
export const FAST_LINK = { deadAfterMs: 3000, reconnectDelayMs: 200, maxReconnectDelayMs: 1000 };
export const FAST_SYNC = { heartbeatMs: 1000, resendMs: 1500, helloTimeoutMs: 2000 };

export const ADMIN = "sync-suite-admin-token-0123456789";

/** The last warnings and errors the hubs and agents of this test file logged, for a failing wait to show. */
const warnings: string[] = [];
const KEPT_WARNINGS = 30;
const keep = {
  write(line: string): void {
    warnings.push(line.trimEnd());
    if (warnings.length > KEPT_WARNINGS) warnings.shift();
  },
};
/** TEST_LOG prints every line at that level; otherwise warnings and errors are kept for recentWarnings(). */
const log = () => {
  const level = process.env["TEST_LOG"];
  return level ? pino({ level }) : pino({ level: "warn" }, keep);
};

/** What hubs and agents warned of lately (the newest last): context for a wait that timed out. */
export function recentWarnings(): readonly string[] {
  return [...warnings];
}

export async function startHub(
  sync: SyncConfigInput,
  dataDir?: string,
  heartbeatSeconds = 1,
  port = 0,
): Promise<Hub> {
  const hub = await createHub(
    HubConfig.parse({
      dataDir: dataDir ?? mkdtempSync(join(tmpdir(), "nephoran-hub-sync-")),
      adminToken: ADMIN,
      port,
      sync,
      heartbeatSeconds,
    }),
    { logger: log(), link: FAST_LINK },
  );
  await hub.start();
  return hub;
}

export async function api(
  hub: Hub,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Enrolls `site` the way the bootstrap does: a token from the operator, spent by the site. */
export async function enroll(
  hub: Hub,
  site: string,
  labels: Record<string, string> = {},
): Promise<{ credential: string; sync: SiteSyncCredentials }> {
  const t = await api(hub, "POST", "/v1/enrollment-tokens", { site, labels });
  if (t.status !== 201) throw new Error(`enrollment token: ${t.status} ${JSON.stringify(t.json)}`);
  const e = await api(hub, "POST", "/v1/enroll", { token: t.json["token"] }, { authorization: "" });
  if (e.status !== 201) throw new Error(`enroll: ${e.status} ${JSON.stringify(e.json)}`);
  return { credential: e.json["credential"] as string, sync: e.json["sync"] as SiteSyncCredentials };
}

/** An agent writing manifests to a folder, syncing with `sync` (its URL may point at a proxy). */
export function syncedAgent(
  site: string,
  sync: SiteSyncCredentials,
  dataDir?: string,
  syncOptions: Partial<SyncClientOptions> = {},
  config: Partial<AgentConfigInput> = {},
): Agent {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), `nephoran-agent-${site}-`));
  return new Agent(
    AgentConfig.parse({
      site,
      dataDir: dir,
      target: { kind: "directory", dir: join(dir, "manifests") },
      relistSeconds: 2,
      sync,
      ...config,
    }),
    { logger: log(), link: FAST_LINK, syncOptions: { ...FAST_SYNC, ...syncOptions } },
  );
}

/** The hub's view of one intent at one site: the phase and revision reported, or undefined. */
export async function reported(
  hub: Hub,
  intentId: string,
  site: string,
): Promise<SiteIntentReport | undefined> {
  return (await hub.deps.store.reports.forIntent(intentId)).find((r) => r.siteId === site);
}
