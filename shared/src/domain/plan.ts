import { z } from "zod";
import { CpuQuantity, Labels, MemoryQuantity, Namespace, Priority, Resources, SiteName } from "./primitives";

export const IntentType = z.enum([
  "nf.deploy",
  "nf.scale",
  "nf.delete",
  "nf.configure",
  "slice.deploy",
  "policy.apply",
]);
export type IntentType = z.infer<typeof IntentType>;

export const ActionKind = z.enum(["deploy", "scale", "delete", "configure", "policy"]);
export type ActionKind = z.infer<typeof ActionKind>;

/** NF type id as written in the catalog; membership in the catalog is a guardrail, not a schema rule. */
export const NfId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9-]*$/, "must be a catalog NF id such as amf or cu-cp");

export const Capacity = z.strictObject({
  maxUplinkThroughput: z.number().positive().optional().describe("Mbit/s"),
  maxDownlinkThroughput: z.number().positive().optional().describe("Mbit/s"),
  maxSessions: z.number().int().positive().optional(),
  maxSubscribers: z.number().int().positive().optional(),
});
export type Capacity = z.infer<typeof Capacity>;

export const SliceType = z.enum(["eMBB", "URLLC", "mMTC"]);
export type SliceType = z.infer<typeof SliceType>;

export const Slice = z.strictObject({
  type: SliceType,
  sst: z.number().int().min(1).max(255).optional().describe("Slice/Service Type (3GPP TS 23.501)"),
  sd: z
    .string()
    .regex(/^[0-9a-fA-F]{6}$/, "must be 6 hex digits")
    .optional()
    .describe("Slice Differentiator"),
});
export type Slice = z.infer<typeof Slice>;

export const ParamValue = z.union([z.string().max(256), z.number(), z.boolean()]);
export const Params = z.record(z.string().min(1).max(63), ParamValue);
export type Params = z.infer<typeof Params>;

export const Action = z.strictObject({
  kind: ActionKind,
  nf: NfId,
  replicas: z.number().int().optional(),
  namespace: Namespace.optional(),
  resources: z.strictObject({ cpu: CpuQuantity.optional(), memory: MemoryQuantity.optional() }).optional(),
  capacity: Capacity.optional(),
  slice: Slice.optional(),
  params: Params.optional(),
});
export type Action = z.infer<typeof Action>;

export const SiteSelector = z.strictObject({
  names: z.array(SiteName).max(1000).optional(),
  matchLabels: Labels.optional(),
  all: z.boolean().optional(),
});
export type SiteSelector = z.infer<typeof SiteSelector>;

export const ExpectationTarget = z.enum([
  "latency_ms",
  "throughput_mbps",
  "dl_throughput_mbps",
  "ul_throughput_mbps",
  "devices",
  "users",
  "availability",
]);
export const Condition = z.enum(["IS_LESS_THAN", "IS_GREATER_THAN", "IS_EQUAL_TO"]);

export const Expectation = z.strictObject({
  target: ExpectationTarget,
  condition: Condition,
  value: z.number().nonnegative(),
});
export type Expectation = z.infer<typeof Expectation>;

export const PlanSource = z.enum(["rules", "llm"]);
export type PlanSource = z.infer<typeof PlanSource>;

export const IntentPlan = z.strictObject({
  intentType: IntentType,
  actions: z.array(Action).min(1).max(50),
  sites: SiteSelector.optional(),
  expectations: z.array(Expectation).max(20).optional(),
  priority: Priority,
  source: PlanSource,
  confidence: z.number().min(0).max(1),
});
export type IntentPlan = z.infer<typeof IntentPlan>;

export { Resources };
