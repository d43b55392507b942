/** The agent's configuration, parsed once (zod) in the composition root. */
import { z } from "zod";
import { GuardrailPolicy, SiteName, SiteSyncCredentials } from "@nephoran/shared";

export const TargetConfig = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("kubernetes"), kubeconfig: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal("directory"), dir: z.string().min(1) }),
]);
export type TargetConfig = z.infer<typeof TargetConfig>;

export const AgentConfig = z.strictObject({
  site: SiteName,
  dataDir: z.string().min(1),
  target: TargetConfig,
  /** Where hub intents are mirrored as NetworkIntent objects. */
  intentNamespace: z.string().min(1).default("nephoran"),
  /** Namespaces whose NetworkIntents people create are picked up; all when absent. */
  localIntentNamespaces: z.array(z.string().min(1)).min(1).optional(),
  /** Install the NetworkIntent CRD and mirror intents (Kubernetes targets only). */
  crd: z.boolean().default(true),
  relistSeconds: z.number().positive().max(3600).default(30),
  requestTimeoutSeconds: z.number().positive().max(300).default(15),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  guardrails: GuardrailPolicy.default(GuardrailPolicy.parse({})),
  /** The site's broker credentials from enrollment; without them the agent runs on its store alone. */
  sync: SiteSyncCredentials.optional(),
  heartbeatSeconds: z.number().positive().max(3600).default(30),
});
export type AgentConfig = z.infer<typeof AgentConfig>;
export type AgentConfigInput = z.input<typeof AgentConfig>;

/** "directory:/path" or "kubernetes" (with an optional kubeconfig) as the CLI spells it. */
export function parseTargetFlag(flag: string | undefined, kubeconfig: string | undefined): TargetConfig {
  if (flag?.startsWith("directory:")) return { kind: "directory", dir: flag.slice("directory:".length) };
  if (flag === undefined || flag === "kubernetes") {
    if (kubeconfig) return { kind: "kubernetes", kubeconfig };
    if (flag === "kubernetes") return { kind: "kubernetes" };
    return { kind: "directory", dir: "" };
  }
  throw new Error(`--target must be "kubernetes" or "directory:DIR", got "${flag}"`);
}

/** What `nephoran enroll` keeps in the data folder (mode 0600): the site's own secrets. */
export const Enrollment = z.object({
  siteId: SiteName,
  credential: z.string().min(1),
  hubUrl: z.string().min(1),
  sync: SiteSyncCredentials.optional(),
});
export type Enrollment = z.infer<typeof Enrollment>;
export const ENROLLMENT_FILE = "enrollment.json";
