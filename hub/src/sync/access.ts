/**
 * Per-site broker credentials. Each site gets its own, issued at enrollment, reaching only its own
 * subjects/topics: an NKey for NATS (the server holds the public key), a password for MQTT (mosquitto holds
 * a PBKDF2 hash; the embedded broker checks the site credential against the store).
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createUser } from "@nats-io/nkeys";
import type { SiteSyncCredentials } from "@nephoran/shared";
import { credentialIdOf, natsSubject, userNkey } from "@nephoran/shared";
import type { SyncConfig } from "../config";
import type { HubRepos, HubStore } from "../store";

export interface BrokerAccess {
  /**
   * Issues the site's broker credentials and lets the broker know them; the broker drops the sessions of
   * the site's earlier credential at once (mosquitto and nats-server on reload, the embedded broker here).
   * Runs inside the enrollment's transaction (`tx`), so the user list written includes the new site.
   */
  issue(tx: HubRepos, siteId: string, siteCredential: string): Promise<SiteSyncCredentials | undefined>;
  /** The site was deleted: its broker credentials stop working and its live sessions are closed now. */
  revoke(siteId: string): Promise<void>;
  /** Writes the broker's user list from the store and reloads the broker; a no-op for the embedded one. */
  sync(): Promise<void>;
}

/** mosquitto's password-file hash ($7$: PBKDF2-SHA512, 101 rounds, 12-byte salt). */
export function mosquittoHash(password: string, salt = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, 101, 64, "sha512");
  return `$7$101$${salt.toString("base64")}$${hash.toString("base64")}`;
}

const dec = new TextDecoder();

export function natsAuthConf(hubNkey: string, sites: readonly { site: string; nkey: string }[]): string {
  const users = sites.map(
    (s) =>
      `    { nkey: "${s.nkey}", permissions: { publish: { allow: ["${natsSubject.up(s.site)}", "${natsSubject.ctl(s.site)}"] }, subscribe: { allow: ["${natsSubject.down(s.site)}"] } } }`,
  );
  return [
    "# Written by the Nephoran hub: one NKey user per site, reaching only its own subjects.",
    "authorization {",
    "  # Slow links get time to answer the NKey challenge.",
    "  timeout: 10",
    "  users = [",
    `    { nkey: "${hubNkey}", permissions: { publish: ">", subscribe: ">" } }`,
    ...users,
    "  ]",
    "}",
    "",
  ].join("\n");
}

export function mosquittoAcl(hubUser: string): string {
  return [
    "# Written by the Nephoran hub: each site (user = site name) reaches only its own topics.",
    `user ${hubUser}`,
    "topic readwrite nephoran/#",
    "",
    "pattern read nephoran/site/%u/down",
    "pattern read nephoran/site/%u/desired",
    "pattern write nephoran/site/%u/up",
    "",
  ].join("\n");
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * SIGHUP to the broker, or to each server of a cluster. A server that is down (its pid file gone, or naming
 * no process) takes the file when it starts; any other failure to reach a lone broker (not allowed to signal
 * it) is thrown.
 */
function reload(pidFiles: string | readonly string[] | undefined): void {
  for (const file of typeof pidFiles === "string" ? [pidFiles] : (pidFiles ?? [])) {
    try {
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, "SIGHUP");
    } catch (e) {
      const down = ["ENOENT", "ESRCH"].includes(String((e as NodeJS.ErrnoException).code));
      if (typeof pidFiles === "string" && !down) throw e;
    }
  }
}

/** What brokerAccess needs of the hub's embedded broker, once it runs. */
export interface EmbeddedBrokerHandle {
  readonly url: string;
  disconnectStale(site: string, current: string | undefined): number;
}

export function brokerAccess(
  config: SyncConfig,
  store: HubStore,
  embedded: () => EmbeddedBrokerHandle | undefined,
): BrokerAccess {
  switch (config.transport) {
    case "none":
      return { issue: async () => undefined, revoke: async () => undefined, sync: async () => undefined };
    case "embedded":
      return {
        issue: async (_tx, site, credential) => {
          embedded()?.disconnectStale(site, credentialIdOf(credential));
          return {
            transport: "mqtt",
            url: config.agentUrl ?? embedded()?.url ?? "",
            site,
            credentialId: credentialIdOf(credential),
            username: site,
            password: credential,
            protocolVersion: 4,
          };
        },
        revoke: async (site) => void embedded()?.disconnectStale(site, undefined),
        sync: async () => undefined,
      };
    case "mqtt": {
      const write = async (repos: HubRepos = store) => {
        const lines = [`${config.username}:${mosquittoHash(config.password)}`];
        for (const s of await repos.sites.brokerSecrets())
          if (s.mqttHash) lines.push(`${s.site}:${s.mqttHash}`);
        writeAtomically(config.authFile, `${lines.join("\n")}\n`);
        writeAtomically(config.aclFile, mosquittoAcl(config.username));
        reload(config.pidFile);
      };
      return {
        issue: async (tx, site, credential) => {
          await tx.sites.setBrokerSecrets(site, { natsNkey: "", mqttHash: mosquittoHash(credential) });
          await write(tx);
          return {
            transport: "mqtt",
            url: config.agentUrl ?? config.url,
            site,
            credentialId: credentialIdOf(credential),
            username: site,
            password: credential,
            protocolVersion: 5,
          };
        },
        // The site's row is gone: the rewritten file lacks its user, and mosquitto drops its sessions on reload.
        revoke: () => write(),
        sync: () => write(),
      };
    }
    case "nats": {
      const hubNkey = userNkey(config.nkeySeed).publicKey;
      const write = async (repos: HubRepos = store) => {
        const sites = (await repos.sites.brokerSecrets())
          .filter((s) => s.natsNkey)
          .map((s) => ({ site: s.site, nkey: s.natsNkey as string }));
        writeAtomically(config.authFile, natsAuthConf(hubNkey, sites));
        reload(config.pidFile);
      };
      return {
        issue: async (tx, site, credential) => {
          const kp = createUser();
          await tx.sites.setBrokerSecrets(site, { natsNkey: kp.getPublicKey(), mqttHash: "" });
          await write(tx);
          return {
            transport: "nats",
            url: config.agentUrl ?? config.url,
            site,
            credentialId: credentialIdOf(credential),
            nkeySeed: dec.decode(kp.getSeed()),
          };
        },
        // The site's NKey leaves the file; nats-server closes its connections on reload.
        revoke: () => write(),
        sync: () => write(),
      };
    }
  }
}
