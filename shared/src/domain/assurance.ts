/**
 * Intent assurance: how each expectation of an intent stands at a site, measured from the site's metrics
 * (3GPP TS 28.312's fulfilment information, per expectation).
 */
import * as z from "zod";
import { Condition, ExpectationTarget, NfId } from "./plan";
import { Timestamp } from "./primitives";

/**
 * Fulfilled: the condition holds. Degraded: it does not, by no more than a tenth of the target. NotFulfilled:
 * it misses by more. Unknown: no data to tell.
 */
export const Fulfilment = z.enum(["Fulfilled", "Degraded", "NotFulfilled", "Unknown"]);
export type Fulfilment = z.infer<typeof Fulfilment>;

/** Worst first. */
export const FULFILMENT_SEVERITY: readonly Fulfilment[] = [
  "NotFulfilled",
  "Degraded",
  "Unknown",
  "Fulfilled",
];

/** One expectation of an intent at one site: its state, the value measured, since when. */
export const ExpectationStatus = z.strictObject({
  /** Its place in the plan's `expectations`. */
  index: z.number().int().min(0).max(19),
  target: ExpectationTarget,
  condition: Condition,
  value: z.number(),
  nf: NfId.optional(),
  state: Fulfilment,
  measured: z.number().optional(),
  /** When it entered this state. */
  since: Timestamp,
  /** When it was last evaluated. */
  at: Timestamp,
  /** Why it is Unknown (no metrics source, no data, the query failed). */
  message: z.string().max(512).optional(),
});
export type ExpectationStatus = z.infer<typeof ExpectationStatus>;

/** The worst state among an intent's expectations at a site, or undefined when it has none. */
export function worstFulfilment(xs: readonly Pick<ExpectationStatus, "state">[]): Fulfilment | undefined {
  return FULFILMENT_SEVERITY.find((s) => xs.some((x) => x.state === s));
}

/**
 * What a site's closed loop did to one NF of an intent (opt-in, `assurance.remediate`): the setting it
 * changed — the NF's replicas, or the threshold of the traffic steering policy put to the near-RT RIC — its
 * value now against what the intent asked, why, when, and how many times it acted (each a local revision).
 */
export const Remediation = z
  .strictObject({
    nf: NfId,
    replicas: z.number().int().min(0).optional().describe("the NF's replicas now (scaled)"),
    threshold: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("the traffic steering policy's threshold now, percent load (steered)"),
    asked: z.number().int().min(0).describe("what the intent asks of the same setting"),
    reason: z.string().max(512),
    at: Timestamp,
    actions: z.number().int().min(1),
  })
  .refine((r) => (r.replicas === undefined) !== (r.threshold === undefined), {
    message: "a remediation sets either replicas or a threshold",
  });
export type Remediation = z.infer<typeof Remediation>;
