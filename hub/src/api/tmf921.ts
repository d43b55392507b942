/**
 * TMF921 v5's `Intent` resource over the hub's intents: what a client sends, what it reads back (its own
 * expression as given, the hub's plan beside it as a characteristic), attribute selection, and the lifecycle
 * status a staged rollout moves.
 */
import { z } from "@hono/zod-openapi";
import type { ExpectationStatus, Intent, RolloutState } from "@nephoran/shared";
import type { IntentReportRecord, ListenerRecord } from "../store";
import { FULFILMENT_SEVERITY, Priority, SiteSelector } from "@nephoran/shared";
import { PlanInput } from "./schemas";

const TMF = "/tmf-api/intentManagement/v5";
export const TMF_INTENTS = `${TMF}/intent`;
/** Where listeners register for notifications. */
export const TMF_HUB = `${TMF}/hub`;

/** `fields=`: the attribute selection every TMF921 read takes. */
export const Fields = z.object({
  fields: z.string().max(1000).optional().openapi({
    description: "Comma-separated first-level attributes to return (id, href and @type always come)",
  }),
});

/** The count headers of every TMF921 list. */
export const CountHeaders = {
  "X-Total-Count": { description: "How many there are", schema: { type: "string" as const } },
  "X-Result-Count": { description: "How many this answer holds", schema: { type: "string" as const } },
};

/** `offset`/`limit` paging with `fields=`. */
export const ListQuery = Fields.extend({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** The client's expression, kept as given: text or an IntentPlan in `expressionValue`, `iri`, and the rest. */
export const TmfExpression = z
  .object({
    "@type": z.string().max(100).optional(),
    iri: z.string().max(2000).optional(),
    expressionLanguage: z.string().max(200).optional(),
    expressionValue: z.union([z.string().max(2000), PlanInput]).optional(),
  })
  .loose();
export type TmfExpression = z.infer<typeof TmfExpression>;

const fields = {
  "@type": z.literal("Intent").optional(),
  name: z.string().min(1).max(253),
  description: z.string().max(2000).optional(),
  priority: Priority.optional(),
  expression: TmfExpression.optional(),
  siteSelector: SiteSelector.optional(),
  allowUnknownSites: z.boolean().optional(),
};

const saysWhat = (b: { description?: string | null; expression?: TmfExpression | null }) =>
  typeof b.expression?.expressionValue === "string" ||
  typeof b.expression?.expressionValue === "object" ||
  typeof b.description === "string";
const SAYS_WHAT = { message: "give the intent in description or expression.expressionValue" };

/** A create: `Intent_FVO` as the standard has it, with the hub's site selector beside it. */
export const TmfIntentInput = z.object(fields).loose().refine(saysWhat, SAYS_WHAT).openapi("Intent_FVO");
export type TmfIntentInput = z.infer<typeof TmfIntentInput>;

/** Attributes the hub keeps; a merge patch naming one of these is refused, not silently dropped. */
export const READ_ONLY = [
  "id",
  "href",
  "version",
  "lifecycleStatus",
  "statusChangeDate",
  "creationDate",
  "lastUpdate",
  "characteristic",
];

/** A merge patch (RFC 7386): what it names changes, `null` removes (the description only). */
export const TmfIntentPatch = z
  .object({
    ...fields,
    name: fields.name.optional(),
    description: z.string().max(2000).nullable().optional(),
  })
  .loose()
  .openapi("Intent_MVO");

export const TmfIntent = z
  .object({
    id: z.string(),
    href: z.string(),
    "@type": z.literal("Intent"),
    name: z.string(),
    description: z.string().optional(),
    version: z.string(),
    lifecycleStatus: z.string(),
    priority: z.string(),
    creationDate: z.string(),
    lastUpdate: z.string(),
    expression: z.object({ "@type": z.string() }).loose(),
    characteristic: z.array(
      z.object({ "@type": z.string(), name: z.string(), valueType: z.string(), value: z.unknown() }),
    ),
  })
  .partial()
  .required({ id: true, href: true, "@type": true })
  .loose()
  .openapi("Intent");
export type TmfIntent = z.infer<typeof TmfIntent>;

/**
 * Where the intent is in its life: `terminating` while the sites remove it; while a staged rollout of it
 * runs `inProgress`, or `suspended` when paused; `active` otherwise.
 */
export function lifecycleStatus(i: Intent, rollout: RolloutState | undefined): string {
  if (i.state !== "active") return "terminating";
  if (rollout === "Progressing") return "inProgress";
  if (rollout === "Paused") return "suspended";
  return "active";
}

/**
 * The expression a client reads back: its own as given; for an intent it gave none (its text in the
 * description, or one made through /v1), an `IntentExpression` naming the intent with its text, or its plan.
 */
export function expressionOf(i: Intent): Record<string, unknown> {
  return (
    i.expression ?? {
      "@type": "IntentExpression",
      iri: `urn:nephoran:intent:${i.id}`,
      expressionValue: i.text ?? i.plan,
    }
  );
}

export function toTmf(i: Intent, rollout: RolloutState | undefined): TmfIntent {
  return {
    id: i.id,
    href: `${TMF_INTENTS}/${i.id}`,
    "@type": "Intent",
    name: i.name,
    ...(i.description !== undefined ? { description: i.description } : {}),
    version: String(i.revision),
    lifecycleStatus: lifecycleStatus(i, rollout),
    priority: i.priority,
    creationDate: i.createdAt,
    lastUpdate: i.updatedAt,
    expression: expressionOf(i) as NonNullable<TmfIntent["expression"]>,
    characteristic: [
      { "@type": "ObjectCharacteristic", name: "plan", valueType: "IntentPlan", value: i.plan },
    ],
  };
}

/** `fields=a,b`: those first-level attributes and the identifying ones; without it, everything. */
export function select<T extends object>(resource: T, fieldList: string | undefined): T {
  if (fieldList === undefined) return resource;
  const wanted = new Set(["id", "href", "@type", ...fieldList.split(",").map((f) => f.trim())]);
  return Object.fromEntries(Object.entries(resource).filter(([k]) => wanted.has(k))) as T;
}

export const TmfIntentReport = z
  .object({
    id: z.string(),
    href: z.string(),
    "@type": z.literal("IntentReport"),
    name: z.string(),
    description: z.string(),
    creationDate: z.string(),
    intent: z.object({ "@type": z.literal("IntentRef"), id: z.string(), href: z.string() }),
    expression: z.object({ "@type": z.string() }).loose(),
  })
  .partial()
  .required({ id: true, href: true, "@type": true })
  .loose()
  .openapi("IntentReport");
export type TmfIntentReport = z.infer<typeof TmfIntentReport>;

interface ReportFacts {
  readonly counts: Partial<Record<string, number>>;
  readonly worst: readonly { siteId: string; expectations: readonly ExpectationStatus[] }[];
}

const SAYS = { IS_LESS_THAN: "<", IS_GREATER_THAN: ">", IS_EQUAL_TO: "=" } as const;

/** A fulfilment report as TMF921's IntentReport: the state across the sites, in words and as data. */
export function toTmfReport(r: IntentReportRecord, intentName: string): TmfIntentReport {
  const facts = r.body as unknown as ReportFacts;
  const counts = FULFILMENT_SEVERITY.filter((s) => facts.counts[s])
    .map((s) => `${facts.counts[s]} ${s}`)
    .join(", ");
  const first = facts.worst[0];
  const miss = first?.expectations.find((x) => x.state !== "Fulfilled");
  const why = miss
    ? `; worst: ${first?.siteId} ${miss.target} ${miss.measured ?? "no data"} (expected ${SAYS[miss.condition]} ${miss.value})`
    : "";
  return {
    id: r.id,
    href: `${TMF_INTENTS}/${r.intentId}/intentReport/${r.id}`,
    "@type": "IntentReport",
    name: `${intentName}: ${r.state}`,
    description: `${r.state} across the sites (${counts})${why}`,
    creationDate: r.createdAt,
    intent: { "@type": "IntentRef", id: r.intentId, href: `${TMF_INTENTS}/${r.intentId}` },
    expression: {
      "@type": "IntentExpression",
      iri: `urn:nephoran:intent-report:${r.id}`,
      expressionValue: { fulfilment: r.state, counts: facts.counts, sites: facts.worst },
    },
  };
}

export const TmfHubInput = z
  .object({
    "@type": z.literal("Hub").optional(),
    callback: z.url({ protocol: /^https?$/ }).max(2000),
    query: z
      .string()
      .max(500)
      .regex(
        /^(eventType=[A-Za-z]+(,[A-Za-z]+)*)?$/,
        "a query such as eventType=IntentReportCreateEvent,IntentStatusChangeEvent",
      )
      .optional(),
  })
  .loose()
  .openapi("Hub_FVO");

export const TmfHub = z
  .object({
    id: z.string(),
    href: z.string(),
    "@type": z.literal("Hub"),
    callback: z.string(),
    query: z.string().optional(),
    secret: z.string().optional().openapi({
      description:
        "Given once, at registration: each notification carries X-Nephoran-Signature: sha256=HMAC-SHA256(secret, X-Nephoran-Timestamp + '.' + body)",
    }),
  })
  .openapi("Hub");

export function toTmfHub(l: ListenerRecord, withSecret = false): z.infer<typeof TmfHub> {
  return {
    id: l.id,
    href: `${TMF_HUB}/${l.id}`,
    "@type": "Hub",
    callback: l.callback,
    ...(l.query ? { query: l.query } : {}),
    ...(withSecret ? { secret: l.secret } : {}),
  };
}

/** RFC 7386: objects merge key by key, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** What a create or a patched intent asks the planner for: the expression's text or plan, else the description. */
export function planInputOf(b: {
  description?: string | null | undefined;
  expression?: TmfExpression | undefined;
}): { text: string } | { plan: z.infer<typeof PlanInput> } {
  const value = b.expression?.expressionValue;
  if (typeof value === "object") return { plan: value };
  return { text: typeof value === "string" ? value : (b.description as string) };
}
