/** Request and response schemas of the API, built from the domain schemas in shared. */
import { z } from "@hono/zod-openapi";
import {
  ExpectationStatus,
  Fulfilment,
  Remediation,
  Intent,
  IntentPlan,
  Labels,
  PlanSource,
  Priority,
  RolloutStrategy,
  RollupPhase,
  Site,
  SiteName,
  SiteSyncCredentials,
  SiteSelector,
  IntentState,
  Timestamp,
} from "@nephoran/shared";

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.unknown().optional(),
  }),
});

/** TMF921's `Error` resource, as its routes answer every error (the request id and details beside). */
export const TmfError = z
  .object({
    "@type": z.literal("Error"),
    code: z.string(),
    reason: z.string(),
    message: z.string().optional(),
    status: z.string().optional(),
    referenceError: z.string().optional(),
    requestId: z.string(),
    details: z.unknown().optional(),
  })
  .openapi("Error");

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428 | 503;
const answers =
  (schema: z.ZodType) =>
  (...codes: ErrorStatus[]) =>
    Object.fromEntries(
      codes.map((c) => [c, { description: "error", content: { "application/json": { schema } } }]),
    );

export const errorResponses = answers(ErrorBody);

/** A JSON body (of a request or an answer) of this schema. */
export const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
export const tmfErrorResponses = answers(TmfError);

/** A plan as a client may send it: source and confidence are the hub's to fill in. */
export const PlanInput = IntentPlan.extend({
  source: PlanSource.optional(),
  confidence: z.number().min(0).max(1).optional(),
  priority: Priority.optional(),
});

export const PlanRequest = z
  .strictObject({ text: z.string().min(1).max(2000) })
  .openapi({ example: { text: "scale UPF to 3 replicas at edge01" } });
export const PlanResponse = z.object({
  plan: IntentPlan,
  scope: z.array(z.string()).openapi({
    description:
      "What each action touches at a targeted site: a scale or configure changes every instance of its NF that earlier intents deployed there",
  }),
  source: PlanSource,
  confidence: z.number(),
  warnings: z.array(z.string()),
});

export const CreateIntentRequest = z
  .strictObject({
    name: z.string().min(1).max(253).optional(),
    text: z.string().min(1).max(2000).optional(),
    plan: PlanInput.optional(),
    siteSelector: SiteSelector.optional(),
    priority: Priority.optional(),
    rollout: RolloutStrategy.optional().openapi({
      description:
        "Stage this intent and its later changes: a canary, waves, a failure budget, a bake time. Without it, every change reaches all targeted sites at once.",
    }),
    allowUnknownSites: z.boolean().optional().openapi({
      description:
        "Accept site names no site is enrolled or expected under, and selectors that match no site yet (the sites are coming later). Without it such an intent is refused with 422 UNKNOWN_SITES.",
    }),
  })
  .refine((b) => (b.text === undefined) !== (b.plan === undefined), {
    message: "give exactly one of text or plan",
  })
  .openapi({
    description: "Exactly one of `text` (planned by the hub) or `plan` (validated as given).",
    examples: [
      { text: "Create a URLLC slice with 1 ms latency on edge01 and edge02", priority: "high" },
      {
        name: "eu upf",
        plan: { intentType: "nf.deploy", actions: [{ kind: "deploy", nf: "upf", replicas: 2 }] },
        siteSelector: { matchLabels: { region: "eu" } },
      },
      {
        text: "scale UPF to 3 replicas at all sites",
        rollout: { canary: 1, waves: ["25%", "50%"], maxFailures: "5%", bakeSeconds: 60 },
      },
    ],
  });

export const PatchIntentRequest = z
  .strictObject({
    name: z.string().min(1).max(253).optional(),
    text: z.string().min(1).max(2000).optional(),
    plan: PlanInput.optional(),
    siteSelector: SiteSelector.optional(),
    priority: Priority.optional(),
    rollout: RolloutStrategy.nullable().optional().openapi({
      description:
        "A strategy for this change and the next ones (null: all at once again). A change during a rollout supersedes it: its stages start over from what each site holds.",
    }),
    allowUnknownSites: z.boolean().optional().openapi({
      description:
        "Accept site names no site is enrolled or expected under, and selectors that match no site yet (the sites are coming later). Without it such an intent is refused with 422 UNKNOWN_SITES.",
    }),
  })
  .refine((b) => !(b.text !== undefined && b.plan !== undefined), { message: "give text or plan, not both" })
  .refine((b) => Object.keys(b).some((k) => k !== "allowUnknownSites"), { message: "nothing to change" })
  .openapi({
    description: "At least one field; `text` and `plan` not both.",
    example: { text: "scale UPF to 5 replicas at edge01", priority: "critical" },
  });

export const RollupBody = z.object({
  revision: z.number(),
  targetedSites: z.number(),
  counts: z.record(RollupPhase, z.number()),
  settled: z.number().openapi({
    description:
      "Sites with nothing left to wait for: Ready, or Applied by a target that cannot observe readiness (its Ready condition is Unknown)",
  }),
  worst: RollupPhase.nullable(),
  notReady: z.array(z.object({ siteId: z.string(), phase: RollupPhase, message: z.string().optional() })),
  notReadyTruncated: z.boolean(),
  fulfilment: z
    .object({
      counts: z.record(Fulfilment, z.number()),
      worst: z.array(
        z.object({ siteId: z.string(), state: Fulfilment, expectations: z.array(ExpectationStatus) }),
      ),
      worstTruncated: z.boolean(),
    })
    .optional()
    .openapi({
      description:
        "For an intent with expectations: targeted sites by the worst state among their expectations, and the worst sites with what they measured",
    }),
});

export const IntentView = Intent.extend({
  rollup: RollupBody.optional(),
  warnings: z.array(z.string()).optional(),
});

export const Cursor = z.string().max(200);
export const Limit = z.coerce.number().int().min(1).max(500).default(50);

export const ListIntentsQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  state: IntentState.optional(),
  priority: Priority.optional(),
  site: SiteName.optional().openapi({ description: "only the intents this site runs (its desired set)" }),
});
export const IntentList = z.object({ items: z.array(Intent), nextCursor: z.string().nullable() });

export const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const SiteView = Site.extend({
  resyncRequestedAt: Timestamp.nullable(),
  syncLag: z.object({ versions: z.number().int(), seconds: z.number().nullable() }),
});
export const SiteDetail = SiteView.extend({
  intents: z.array(
    z.object({
      intentId: z.string(),
      revision: z.number(),
      phase: RollupPhase,
      reportedRevision: z.number().nullable(),
      expectations: z.array(ExpectationStatus).optional(),
      remediations: z.array(Remediation).optional(),
    }),
  ),
  localIntents: z
    .array(
      z.object({ intentId: z.string(), revision: z.number(), phase: RollupPhase, observedAt: z.string() }),
    )
    .describe(
      "Intents the site's people added there (its status endpoint, kubectl), as the site reported them",
    ),
});
export const ListSitesQuery = z.strictObject({
  limit: Limit,
  cursor: Cursor.optional(),
  label: z
    .string()
    .regex(/^[^=,]+=[^=,]*(,[^=,]+=[^=,]*)*$/, "label filter is key=value[,key=value]")
    .optional(),
  presence: z.enum(["online", "offline"]).optional(),
  q: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "text a site's name or one of its label values contains (any case)" }),
});
export const SiteList = z.object({ items: z.array(SiteView), nextCursor: z.string().nullable() });
export const PatchSiteRequest = z.strictObject({ labels: Labels });

export const EnrollmentTokenRequest = z.strictObject({
  site: SiteName,
  labels: Labels.default({}),
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
});
export const EnrollmentTokenResponse = z.object({
  token: z.string(),
  site: SiteName,
  labels: Labels,
  expiresAt: Timestamp,
});
export const EnrollRequest = z.strictObject({
  token: z.string().min(10).max(200),
  agentVersion: z.string().max(64).optional(),
  labels: Labels.optional().describe(
    "Labels the site proposes for itself (e.g. its region); the token's labels win where both set a key",
  ),
});
export const EnrollResponse = z.object({
  siteId: SiteName,
  credential: z
    .string()
    .describe("The site's own secret for the sync transport and the hub's site endpoints; shown once"),
  hubUrl: z.string(),
  labels: Labels,
  sync: SiteSyncCredentials.optional().describe(
    "How the site reaches its broker: its own credentials, shown once",
  ),
});

export const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(200).optional().openapi({
    description:
      "Send the same key again when an answer was lost: the first answer comes back (header Idempotent-Replayed) instead of a second create; the same key with another body is refused with 422. Kept for 24 hours.",
  }),
});

/** Response headers the document declares where the API sends them. */
export const ETagHeader = {
  ETag: {
    description: 'The intent\'s revision as an ETag ("3"): send it back in If-Match',
    schema: { type: "string" as const },
  },
};
export const LocationHeader = {
  Location: { description: "Where the created resource is", schema: { type: "string" as const } },
};

export const IfMatchHeader = z.object({
  "if-match": z.string().optional().openapi({
    description:
      'Required: the ETag of the revision being changed (e.g. "3"). Without it the answer is 428; with an older one, 409',
  }),
});
