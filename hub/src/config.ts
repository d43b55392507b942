/** The hub's configuration, parsed once (zod) in the composition root. */
import { z } from "zod";
import { GuardrailPolicy } from "@nephoran/shared";

export const HubConfig = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().min(1),
  /** The URL agents use to reach the hub; defaults to http://host:port. */
  publicUrl: z.string().url().optional(),
  /** Bootstrap admin token (NEPHORAN_ADMIN_TOKEN); stored hashed on first start. */
  adminToken: z.string().min(16, "the admin token must be at least 16 characters").optional(),
  presenceTimeoutSeconds: z.number().positive().default(90),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  guardrails: GuardrailPolicy.default(GuardrailPolicy.parse({})),
});
export type HubConfig = z.infer<typeof HubConfig>;
export type HubConfigInput = z.input<typeof HubConfig>;
