/** Flags shared by the agent's commands, turned into an AgentConfig. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CliIo } from "@nephoran/shared";
import { UsageError } from "@nephoran/shared";
import type { AgentConfig } from "../config";
import type { Enrollment as EnrollmentT } from "../config";
import {
  AgentConfig as AgentConfigSchema,
  ENROLLMENT_FILE,
  Enrollment,
  parseTargetFlag,
  upgradeEnrollment,
} from "../config";

export const AGENT_FLAGS = {
  site: { type: "string" },
  kubeconfig: { type: "string" },
  target: { type: "string" },
  data: { type: "string" },
  "intent-namespace": { type: "string" },
  "local-namespaces": { type: "string" },
  "no-crd": { type: "boolean", default: false },
  relist: { type: "string" },
  "log-level": { type: "string" },
  heartbeat: { type: "string" },
  enrollment: { type: "string" },
  "status-listen": { type: "string" },
  "status-token-file": { type: "string" },
  model: { type: "string" },
  "model-dir": { type: "string" },
  "allow-namespaces": { type: "string" },
  metrics: { type: "string" },
  "assurance-interval": { type: "string" },
  hysteresis: { type: "string" },
  "metrics-window": { type: "string" },
  cooldown: { type: "string" },
  a1: { type: "string" },
  "scale-back": { type: "string" },
} as const;

export interface AgentFlagValues {
  site?: string;
  kubeconfig?: string;
  target?: string;
  data?: string;
  "intent-namespace"?: string;
  "local-namespaces"?: string;
  "no-crd"?: boolean;
  relist?: string;
  "log-level"?: string;
  heartbeat?: string;
  enrollment?: string;
  "status-listen"?: string;
  "status-token-file"?: string;
  model?: string;
  "model-dir"?: string;
  "allow-namespaces"?: string;
  metrics?: string;
  "assurance-interval"?: string;
  hysteresis?: string;
  "metrics-window"?: string;
  cooldown?: string;
  a1?: string;
  "scale-back"?: string;
}

/**
 * The status endpoint from `--status-listen HOST:PORT | PORT | off` and a token from
 * `--status-token-file` or NEPHORAN_STATUS_TOKEN (never a flag: a command line is visible to every user).
 */
function statusFromFlags(v: AgentFlagValues, io: CliIo): unknown {
  const listen = v["status-listen"] ?? io.env["NEPHORAN_STATUS_LISTEN"];
  if (listen === "off") return false;
  let token = io.env["NEPHORAN_STATUS_TOKEN"];
  if (v["status-token-file"]) {
    try {
      token = readFileSync(v["status-token-file"], "utf8").trim();
    } catch (e: unknown) {
      throw new UsageError(`--status-token-file: ${(e as Error).message}`);
    }
  }
  let host: string | undefined;
  let port: string | undefined;
  if (listen !== undefined) {
    const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(listen);
    if (!m) throw new UsageError(`--status-listen must be HOST:PORT, PORT or off, got "${listen}"`);
    host = m[1]?.replace(/^\[|\]$/g, "");
    port = m[2];
  }
  return {
    ...(host ? { host } : {}),
    ...(port ? { port: Number(port) } : {}),
    ...(token ? { token } : {}),
  };
}

/** The enrollment kept in `dataDir`, if the site was enrolled; a damaged file is an error, not ignored. */
export function readEnrollment(dataDir: string): EnrollmentT | undefined {
  const file = join(dataDir, ENROLLMENT_FILE);
  return existsSync(file) ? readEnrollmentFile(file) : undefined;
}

/** An enrollment file (e.g. mounted from the site's Secret); it must exist. */
export function readEnrollmentFile(file: string): EnrollmentT {
  if (!existsSync(file)) throw new UsageError(`${file}: no such enrollment file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new UsageError(`${file} is not JSON: enroll the site again`);
  }
  const parsed = Enrollment.safeParse(upgradeEnrollment(raw));
  if (!parsed.success) throw new UsageError(`${file} is not an enrollment: enroll the site again`);
  return parsed.data;
}

export function configFromFlags(v: AgentFlagValues, io: CliIo): AgentConfig {
  const given = v.data ?? io.env["NEPHORAN_DATA"];
  const enrollmentFile = v.enrollment ?? io.env["NEPHORAN_ENROLLMENT"];
  const enrolled = enrollmentFile
    ? readEnrollmentFile(resolve(enrollmentFile))
    : given
      ? readEnrollment(resolve(given))
      : undefined;
  const site = v.site ?? enrolled?.siteId;
  if (!site) throw new UsageError("--site NAME is required (or --data DIR of an enrolled site)");
  if (enrolled && enrolled.siteId !== site)
    throw new UsageError(
      `--site ${site} does not match the site enrolled in this data folder (${enrolled.siteId})`,
    );
  const dataDir = resolve(given ?? join(".nephoran", `agent-${site}`));
  const enrollment = enrolled ?? readEnrollment(dataDir);
  let target;
  try {
    target = parseTargetFlag(
      v.target,
      v.kubeconfig ?? (v.target === "kubernetes" ? io.env["KUBECONFIG"] : undefined),
    );
  } catch (e: unknown) {
    throw new UsageError((e as Error).message);
  }
  if (target.kind === "kubernetes" && target.kubeconfig && !existsSync(target.kubeconfig))
    throw new UsageError(
      `the kubeconfig ${target.kubeconfig} does not exist; give the cluster's (--kubeconfig ~/.kube/config, or /etc/rancher/k3s/k3s.yaml on a K3s node), or write manifests to a folder with --target directory:DIR`,
    );
  if (target.kind === "directory" && target.dir === "")
    target = { kind: "directory" as const, dir: join(dataDir, "manifests") };
  const parsed = AgentConfigSchema.safeParse({
    site,
    ...(enrollment?.sync ? { sync: enrollment.sync } : {}),
    ...(v.heartbeat ? { heartbeatSeconds: Number(v.heartbeat) } : {}),
    dataDir,
    target,
    crd: !v["no-crd"],
    ...(v["intent-namespace"] ? { intentNamespace: v["intent-namespace"] } : {}),
    ...(v["local-namespaces"]
      ? { localIntentNamespaces: v["local-namespaces"].split(",").filter(Boolean) }
      : {}),
    ...(v.relist ? { relistSeconds: Number(v.relist) } : {}),
    ...(v["log-level"] ? { logLevel: v["log-level"] } : {}),
    status: statusFromFlags(v, io),
    // The namespaces this site's workloads may go to (NEPHORAN_ALLOW_NAMESPACES), replacing the default
    // families; "ran-*" allows a prefix.
    ...((v["allow-namespaces"] ?? io.env["NEPHORAN_ALLOW_NAMESPACES"])
      ? {
          guardrails: {
            namespaces: (v["allow-namespaces"] ?? io.env["NEPHORAN_ALLOW_NAMESPACES"] ?? "")
              .split(",")
              .map((n) => n.trim())
              .filter(Boolean),
          },
        }
      : {}),
    assurance: {
      ...((v.metrics ?? io.env["NEPHORAN_METRICS"])
        ? { metrics: v.metrics ?? io.env["NEPHORAN_METRICS"] }
        : {}),
      ...(v["assurance-interval"] ? { intervalSeconds: Number(v["assurance-interval"]) } : {}),
      ...(v.hysteresis ? { hysteresis: Number(v.hysteresis) } : {}),
      ...(v["metrics-window"] ? { window: v["metrics-window"] } : {}),
      ...(v.cooldown ? { cooldownSeconds: Number(v.cooldown) } : {}),
      ...(v["scale-back"] ? { scaleBackSeconds: Number(v["scale-back"]) } : {}),
    },
    ...((v.a1 ?? io.env["NEPHORAN_A1"]) ? { a1: { url: v.a1 ?? io.env["NEPHORAN_A1"] } } : {}),
    knowledge: {
      ...((v.model ?? io.env["NEPHORAN_MODEL"]) ? { model: v.model ?? io.env["NEPHORAN_MODEL"] } : {}),
      ...((v["model-dir"] ?? io.env["NEPHORAN_MODEL_DIR"])
        ? { modelDir: v["model-dir"] ?? io.env["NEPHORAN_MODEL_DIR"] }
        : {}),
    },
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}
