import * as z from "zod";
import { IntentPlan, RolloutStrategy, SiteSelector } from "./plan";
import { Priority, Timestamp } from "./primitives";

export const IntentState = z.enum(["active", "deleting"]);
export type IntentState = z.infer<typeof IntentState>;

export const IntentId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be lower-case letters, digits and '-'");

/**
 * Intents a site's own people made have ids of their own: `local-…` (the agent's status endpoint) and
 * `ni-…` (a NetworkIntent created with kubectl). Every other id is a fleet intent, the hub's.
 */
export const LOCAL_INTENT_PREFIXES = ["local-", "ni-"] as const;
export const isLocalIntentId = (id: string): boolean => LOCAL_INTENT_PREFIXES.some((p) => id.startsWith(p));

/** A fleet-wide intent as the hub holds it. `revision` goes up by one on every change of spec. */
export const Intent = z.strictObject({
  id: IntentId,
  name: z.string().min(1).max(253),
  text: z.string().max(2000).optional(),
  /** The caller's own description, kept as given (TMF921's `description`). */
  description: z.string().max(2000).optional(),
  /** The caller's TMF921 `expression`, kept as given; `plan` is what the hub made of it. */
  expression: z.record(z.string(), z.unknown()).optional(),
  plan: IntentPlan,
  siteSelector: SiteSelector,
  revision: z.number().int().min(1),
  priority: Priority,
  /** How changes reach the sites: staged by this strategy, or (without one) all at once. */
  rollout: RolloutStrategy.optional(),
  state: IntentState,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  createdBy: z.string().min(1).max(253),
});
export type Intent = z.infer<typeof Intent>;
