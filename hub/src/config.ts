/** The hub's configuration, parsed once (zod) in the composition root. */
import * as z from "zod";
import { GuardrailPolicy } from "@nephoran/shared";

/**
 * How hub and agents sync. `embedded` (the default) runs an MQTT broker inside the hub, so one machine
 * needs no external server. `mqtt` and `nats` use an external mosquitto or nats-server whose per-site
 * credentials the hub keeps in `authFile` (+ `aclFile` for mosquitto), reloading the broker (SIGHUP to
 * the pid in `pidFile`, or in each of several for a cluster's servers) when a site enrolls.
 */
/** The pid file of the broker to reload, or of each server of a cluster. */
const PidFiles = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const SyncConfig = z.discriminatedUnion("transport", [
  z.strictObject({ transport: z.literal("none") }),
  z.strictObject({
    transport: z.literal("embedded"),
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(1883),
    /** The broker URL handed to agents; defaults to mqtt://host:port. */
    agentUrl: z.string().min(1).optional(),
  }),
  z.strictObject({
    transport: z.literal("mqtt"),
    url: z.string().min(1),
    agentUrl: z.string().min(1).optional(),
    username: z.string().min(1).default("nephoran-hub"),
    password: z.string().min(16),
    authFile: z.string().min(1),
    aclFile: z.string().min(1),
    pidFile: PidFiles.optional(),
  }),
  z.strictObject({
    transport: z.literal("nats"),
    /** The server, or a cluster's servers separated by commas (the client fails over between them). */
    url: z.string().min(1),
    /** Handed to sites at enrollment: every server of the cluster they can reach, separated by commas. */
    agentUrl: z.string().min(1).optional(),
    nkeySeed: z.string().regex(/^SU[A-Z2-7]+$/, "must be a NATS user NKey seed"),
    authFile: z.string().min(1),
    pidFile: PidFiles.optional(),
    /** Copies of the reports stream kept across a NATS cluster's servers (3 on a three-server cluster). */
    streamReplicas: z.number().int().min(1).max(5).default(1),
  }),
]);
export type SyncConfig = z.infer<typeof SyncConfig>;

export const HubConfig = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().min(1),
  /**
   * Where the hub keeps its state: a postgres://USER@HOST:PORT/DB URL (several replicas may share it), or
   * else `hub.db` in dataDir (SQLite, one hub). The password comes from PGPASSWORD or `storePasswordFile`.
   */
  store: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/i, "must be a postgres://USER@HOST:PORT/DB URL")
    .optional(),
  /** A file holding the PostgreSQL password (a mounted secret), read at start. */
  storePasswordFile: z.string().min(1).optional(),
  /** PostgreSQL connections this replica keeps at most. */
  storePoolSize: z.number().int().min(1).max(200).default(10),
  /** The URL agents use to reach the hub; defaults to http://host:port. */
  publicUrl: z.string().url().optional(),
  /** Bootstrap admin token (NEPHORAN_ADMIN_TOKEN); stored hashed on first start. */
  adminToken: z.string().min(16, "the admin token must be at least 16 characters").optional(),
  /** A site not heard from for this long is offline; three heartbeats when not given. */
  presenceTimeoutSeconds: z.number().positive().optional(),
  sync: SyncConfig.default({ transport: "embedded", host: "127.0.0.1", port: 1883 }),
  /** An OpenAI-compatible LLM for plain-language intents the rules cannot read (the rules answer when it fails). */
  llm: z
    .strictObject({
      baseUrl: z.string().url(),
      model: z.string().min(1),
      apiKey: z.string().min(1).optional(),
      timeoutMs: z.number().int().positive().max(300_000).default(20_000),
    })
    .optional(),
  /** How often agents send heartbeats; a site silent for three of them is offline. */
  heartbeatSeconds: z.number().positive().max(3600).default(30),
  /**
   * Who may read /metrics: "aggregate" (the default) answers an anonymous scrape with fleet-level series
   * only and adds the per-site ones for a viewer token; "token" needs a token for everything.
   */
  metricsAccess: z.enum(["aggregate", "token"]).default("aggregate"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  guardrails: GuardrailPolicy.default(GuardrailPolicy.parse({})),
});
export type HubConfig = z.infer<typeof HubConfig>;
export type HubConfigInput = z.input<typeof HubConfig>;
