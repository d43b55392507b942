/** Flags shared by the agent's commands, turned into an AgentConfig. */
import { join, resolve } from "node:path";
import type { CliIo } from "@nephoran/shared";
import { UsageError } from "@nephoran/shared";
import type { AgentConfig } from "../config";
import { AgentConfig as AgentConfigSchema, parseTargetFlag } from "../config";

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
}

export function configFromFlags(v: AgentFlagValues, io: CliIo): AgentConfig {
  if (!v.site) throw new UsageError("--site NAME is required");
  const dataDir = resolve(v.data ?? io.env["NEPHORAN_DATA"] ?? join(".nephoran", `agent-${v.site}`));
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
    site: v.site,
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
