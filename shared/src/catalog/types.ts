import * as z from "zod";
import { ExpectationTarget, NfId, Resources } from "../domain";

export const NfDomain = z.enum(["core", "ran", "ric", "sim"]);
export type NfDomain = z.infer<typeof NfDomain>;

export const PortSpec = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(15),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["TCP", "UDP", "SCTP"]),
  /** Interface or protocol carried, for people and for Service.appProtocol: "ngap", "gtp-u", "pfcp", "http2" … */
  appProtocol: z.string().max(32),
  interface: z.string().max(32).optional().describe("3GPP/O-RAN reference point, e.g. N2, N3, F1-C"),
});
export type PortSpec = z.infer<typeof PortSpec>;

/** How a capacity figure maps to resources: one CPU core (and this much memory) per `perCore` units. */
export const SizingRule = z.strictObject({
  metric: z.enum(["throughputMbps", "sessions", "subscribers"]),
  perCore: z.number().positive(),
  memoryMiPerCore: z.number().int().positive(),
});
export type SizingRule = z.infer<typeof SizingRule>;

/** How one expectation target is measured on an NF: PromQL, and how an intent's pods add up. */
export const Kpi = z.strictObject({
  query: z.string().min(1).max(2000),
  across: z.enum(["sum", "max", "avg"]),
});
export type Kpi = z.infer<typeof Kpi>;

export const NfSpec = z.strictObject({
  id: NfId,
  displayName: z.string(),
  aliases: z.array(z.string().min(2)).describe("How people name it in plain language, lower-case"),
  domain: NfDomain,
  description: z.string(),
  image: z.string(),
  ports: z.array(PortSpec),
  resources: z.strictObject({ default: Resources, max: Resources }),
  maxReplicas: z.number().int().min(1).default(10),
  dependencies: z.array(NfId),
  /** Linux capabilities the NF needs beyond the hardened default (everything dropped). */
  capabilities: z.array(z.enum(["NET_ADMIN", "NET_RAW", "SYS_NICE", "IPC_LOCK"])),
  /** Needs a stable network identity or storage: rendered as a StatefulSet. */
  stateful: z.boolean(),
  defaultNamespace: z.string(),
  sizing: z.array(SizingRule),
  /** PromQL per expectation target, measured on this NF (see `entries/kpis.ts`). */
  kpis: z.partialRecord(ExpectationTarget, Kpi).default({}),
});
export type NfSpec = z.infer<typeof NfSpec>;
export type NfSpecInput = z.input<typeof NfSpec>;
