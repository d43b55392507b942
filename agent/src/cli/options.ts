/** Flags shared by the agent's commands, turned into an AgentConfig. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CliIo } from "@nephoran/shared";
import { UsageError } from "@nephoran/shared";
import type { AgentConfig } from "../config";
import type { Enrollment as EnrollmentT } from "../config";
import { AgentConfig as AgentConfigSchema, ENROLLMENT_FILE, Enrollment, parseTargetFlag } from "../config";

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
}

/** The enrollment kept in `dataDir`, if the site was enrolled; a damaged file is an error, not ignored. */
export function readEnrollment(dataDir: string): EnrollmentT | undefined {
  const file = join(dataDir, ENROLLMENT_FILE);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new UsageError(`${file} is not JSON: enroll the site again`);
  }
  const parsed = Enrollment.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${file} is not an enrollment: enroll the site again`);
  return parsed.data;
}

export function configFromFlags(v: AgentFlagValues, io: CliIo): AgentConfig {
  const given = v.data ?? io.env["NEPHORAN_DATA"];
  const enrolled = given ? readEnrollment(resolve(given)) : undefined;
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
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}
