import * as z from "zod";
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
export type ExpectationTarget = z.infer<typeof ExpectationTarget>;
export const Condition = z.enum(["IS_LESS_THAN", "IS_GREATER_THAN", "IS_EQUAL_TO"]);

/**
 * What the intent expects of the network (3GPP TS 28.312's expectation target and condition), checked at
 * each site against its metrics: on `nf` (by default the first of the plan's NFs the catalog can measure
 * this on), with the catalog's query for the target unless `query` (PromQL) overrides it.
 */
export const Expectation = z.strictObject({
  target: ExpectationTarget,
  condition: Condition,
  value: z.number().nonnegative(),
  nf: NfId.optional(),
  query: z.string().min(1).max(2000).optional(),
});
export type Expectation = z.infer<typeof Expectation>;

export const PlanSource = z.enum(["rules", "llm"]);
export type PlanSource = z.infer<typeof PlanSource>;

/**
 * How a change of a fleet intent reaches its sites: all at once (no strategy), or staged — a canary, then
 * waves, each passing only when its sites are Ready at the new revision and a bake time has passed.
 */
/** A share of the targeted sites: a count (`5`) or a percentage (`"25%"`). */
export const Share = z.union([
  z.number().int().min(1).max(1_000_000),
  z
    .string()
    .regex(/^(100|[1-9]?[0-9](\.[0-9]+)?)%$/, "a percentage: 1% to 100%")
    .refine((p) => parseFloat(p) > 0, "a percentage above 0%"),
]);
export type Share = z.infer<typeof Share>;

/** Which sites a stage takes: a share of those targeted (in name order), or those a selector picks. */
export const Stage = z.union([Share, SiteSelector]);
export type Stage = z.infer<typeof Stage>;

export const RolloutStrategy = z
  .strictObject({
    /** The first sites to get a change; a failure there stops it before any wave. */
    canary: Stage.optional(),
    /** Then these, in order; sites left after the last wave form one final wave. */
    waves: z.array(Stage).max(50).optional(),
    /**
     * Sites that may fail (report Failed, or not be Ready by their deadline), or be unavailable (not heard from
     * for a presence timeout into their stage), before the rollout stops: a count or a percentage of the
     * targeted sites. Default 0.
     */
    maxFailures: z
      .union([
        z.number().int().min(0).max(1_000_000),
        z.string().regex(/^(100|[1-9]?[0-9](\.[0-9]+)?)%$/, "a percentage: 0% to 100%"),
      ])
      .optional(),
    /** How long a stage's sites stay Ready before the next stage starts. Default 0. */
    bakeSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
    /** How long a site has to be Ready at the new revision once its stage starts. Default 600. */
    siteDeadlineSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .optional(),
    /** At the failure threshold: `auto` rolls every touched site back; `manual` pauses for a person. */
    approval: z.enum(["auto", "manual"]).optional(),
    /** Instead of `waves`: one wave per value of this site label, in value order ("one region at a time"). */
    by: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9_./]*[a-z0-9])?$/, "a label key")
      .max(63)
      .optional(),
  })
  .refine((s) => !(s.by && s.waves), { message: "give waves or by, not both" });
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;

/** Aborting (by the budget, or a person) rolls back in the same step: there is no resting "Aborted". */

export const IntentPlan = z.strictObject({
  intentType: IntentType,
  actions: z.array(Action).min(1).max(50),
  sites: SiteSelector.optional(),
  expectations: z.array(Expectation).max(20).optional(),
  /** What the site does about its expectations beyond measuring them. */
  assurance: z
    .strictObject({
      /** Scale the NF a capacity expectation is on, one step at a time within the limits, until it holds. */
      remediate: z.boolean().optional(),
    })
    .optional(),
  /** A staged rollout the text asked for ("canary on 5 % of sites, then waves of 25 %"). */
  rollout: RolloutStrategy.optional(),
  priority: Priority,
  source: PlanSource,
  confidence: z.number().min(0).max(1),
});
export type IntentPlan = z.infer<typeof IntentPlan>;

export { Resources };
