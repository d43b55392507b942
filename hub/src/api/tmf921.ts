/**
 * TMF921 v5's `Intent` resource over the hub's intents: what a client sends, what it reads back (its own
 * expression as given, the hub's plan beside it as a characteristic), attribute selection, and the lifecycle
 * status a staged rollout moves.
 */
import { z } from "@hono/zod-openapi";
import type { Intent, RolloutState } from "@nephoran/shared";
import { Priority, SiteSelector } from "@nephoran/shared";
import { PlanInput } from "./schemas";

export const TMF_INTENTS = "/tmf-api/intentManagement/v5/intent";

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
export function select(resource: TmfIntent, fieldList: string | undefined): TmfIntent {
  if (fieldList === undefined) return resource;
  const wanted = new Set(["id", "href", "@type", ...fieldList.split(",").map((f) => f.trim())]);
  return Object.fromEntries(Object.entries(resource).filter(([k]) => wanted.has(k))) as TmfIntent;
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
