/** The agent's configuration, parsed once (zod) in the composition root. */
import * as z from "zod";
import { credentialIdOf, GuardrailPolicy, SiteName, SiteSyncCredentials } from "@nephoran/shared";

export const TargetConfig = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("kubernetes"), kubeconfig: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal("directory"), dir: z.string().min(1) }),
]);
export type TargetConfig = z.infer<typeof TargetConfig>;

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** Where the status endpoint listens: loopback unless configured otherwise, and then only with a token. */
export const StatusConfig = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(9480),
    /** Bearer token (or Basic password) for everything but /healthz and /readyz. */
    token: z.string().min(16, "the status token must be at least 16 characters").optional(),
  })
  .refine((s) => LOOPBACK.has(s.host) || s.token !== undefined, {
    message: "a status endpoint bound beyond loopback needs a token (NEPHORAN_STATUS_TOKEN)",
    path: ["token"],
  });
export type StatusConfig = z.infer<typeof StatusConfig>;

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
  /** The local status endpoint; `false` turns it off. */
  status: z.union([z.literal(false), StatusConfig]).default(StatusConfig.parse({})),
  /**
   * Intent assurance: the site's Prometheus (`metrics`, none by default: expectations are then Unknown), how
   * often expectations are evaluated, how many intervals in a row a new state must be seen (hysteresis), and
   * the rate window of the catalog's queries.
   */
  assurance: z
    .strictObject({
      metrics: z.url({ protocol: /^https?$/ }).optional(),
      intervalSeconds: z.number().positive().max(3600).default(15),
      hysteresis: z.number().int().min(1).max(100).default(2),
      window: z
        .string()
        .regex(/^[0-9]+(ms|s|m|h)$/, "a PromQL duration such as 30s or 1m")
        .default("1m"),
      /**
       * The closed loop (intents with `assurance.remediate`) acts on an NF at most once per cool-down — and
       * never before its last step can show (the rate window plus the hysteresis' intervals), whatever this says.
       */
      cooldownSeconds: z.number().min(0).max(86_400).default(120),
      /** How long a scaled NF's expectations must all be Fulfilled before it goes back to what was asked. */
      scaleBackSeconds: z.number().min(0).max(604_800).default(900),
    })
    .default({
      intervalSeconds: 15,
      hysteresis: 2,
      window: "1m",
      cooldownSeconds: 120,
      scaleBackSeconds: 900,
    }),
  /**
   * The near-RT RIC's A1 policy interface (the O-RAN SC A1 mediator's `/a1-p` API): an intent's A1 policies
   * are put there, their enforcement read back into the intent's status, and deleted with it. Without it,
   * the policy is only written as a ConfigMap for the RIC to read.
   */
  a1: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      api: z.enum(["osc"]).default("osc"),
      timeoutSeconds: z.number().positive().max(300).default(5),
    })
    .optional(),
  /** The embedding model of the local knowledge base (loaded on first search). */
  knowledge: z
    .strictObject({ model: z.string().min(1).optional(), modelDir: z.string().min(1).optional() })
    .default({}),
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

/**
 * An enrollment written before sync credentials carried their id: the id is derived from the site
 * credential the file holds, so a site enrolled earlier keeps working without enrolling again.
 */
export function upgradeEnrollment(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const r = raw as { credential?: unknown; sync?: Record<string, unknown> };
  if (typeof r.credential !== "string" || typeof r.sync !== "object" || r.sync === null) return raw;
  if ("credentialId" in r.sync) return raw;
  return { ...r, sync: { ...r.sync, credentialId: credentialIdOf(r.credential) } };
}
export const ENROLLMENT_FILE = "enrollment.json";
