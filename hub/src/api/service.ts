/** Logic the intent routes share: turning text or a plan into a validated plan, and whom a change concerns. */
import type { Intent, IntentPlan, KnownSites, SiteSelector } from "@nephoran/shared";
import { PlanningError, didYouMean, selects, validatePlan } from "@nephoran/shared";
import type { z } from "@hono/zod-openapi";
import { newId } from "../auth/tokens";
import type { IntentChange, NewIntent, SiteChange } from "../store";
import type { HubDeps } from "./env";
import { ApiError, ApiErrorCode } from "./errors";
import { idempotentId } from "./idempotency";
import type { PlanInput } from "./schemas";

export async function resolvePlan(
  deps: HubDeps,
  body: { text?: string | undefined; plan?: z.infer<typeof PlanInput> | undefined },
): Promise<{ plan: IntentPlan; warnings: readonly string[] }> {
  if (body.text !== undefined) {
    const started = performance.now();
    const r = await deps.planner.plan(body.text, { sites: knownSites(deps) });
    deps.metrics.intentProcessing.observe(
      { source: r.ok ? r.value.source : "rules" },
      (performance.now() - started) / 1000,
    );
    deps.metrics.intentsProcessed.inc({ result: r.ok ? "planned" : "refused" });
    if (!r.ok) throw refused(r.error);
    return { plan: r.value.plan, warnings: r.value.warnings };
  }
  const input = { source: "rules", confidence: 1, priority: "medium", ...body.plan };
  const v = validatePlan(input, { catalog: deps.catalog, policy: deps.guardrails });
  if (!v.ok) {
    throw new ApiError(422, ApiErrorCode.PlanRefused, `the plan breaks a guardrail: ${v.error.message}`, {
      violations: v.error.violations,
    });
  }
  return { plan: v.value, warnings: [] };
}

function refused(e: PlanningError): ApiError {
  return new ApiError(422, ApiErrorCode.PlanRefused, e.message, { code: e.code, violations: e.violations });
}

const describe = (s: SiteSelector): string =>
  [
    ...(s.all ? ["all sites"] : []),
    ...(s.names?.length ? [s.names.join(", ")] : []),
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
  ].join("; ") || "no site";

const sameSelector = (a: SiteSelector, b: SiteSelector): boolean =>
  Boolean(a.all) === Boolean(b.all) &&
  JSON.stringify([...(a.names ?? [])].sort()) === JSON.stringify([...(b.names ?? [])].sort()) &&
  JSON.stringify(Object.entries(a.matchLabels ?? {}).sort()) ===
    JSON.stringify(Object.entries(b.matchLabels ?? {}).sort());

/** The sites the hub knows — enrolled, or expected under an unused enrollment token — with their labels. */
function registry(deps: HubDeps): { id: string; labels: Record<string, string> }[] {
  return [
    ...deps.store.allSites(),
    ...deps.store.pendingSites(deps.clock.now().toISOString()).map((p) => ({ id: p.site, labels: p.labels })),
  ];
}

/** The registry as the planner reads it: names, and each label key's values. */
function knownSites(deps: HubDeps): KnownSites {
  const sites = registry(deps);
  const labels: Record<string, Set<string>> = {};
  for (const s of sites) for (const [k, v] of Object.entries(s.labels)) (labels[k] ??= new Set()).add(v);
  return {
    names: [...new Set(sites.map((s) => s.id))],
    labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, [...v]])),
  };
}

/**
 * Refuses a selector that names a site the hub does not know, or that matches no site at all — a typo
 * ("egde01") would otherwise be accepted and wait for ever — unless the caller says the sites are coming
 * later (`allowUnknownSites`).
 */
export function requireKnownSites(deps: HubDeps, sel: SiteSelector, allowUnknownSites = false): void {
  if (allowUnknownSites) return;
  const sites = registry(deps);
  const ids = new Set(sites.map((s) => s.id));
  const unknown = (sel.names ?? []).filter((n) => !ids.has(n));
  if (unknown.length > 0) {
    const one = unknown.length === 1;
    const list = unknown.map((n) => `"${n}"${didYouMean(n, ids)}`).join(", ");
    throw new ApiError(
      422,
      ApiErrorCode.UnknownSites,
      `${one ? "site" : "sites"} ${list} ${one ? "is" : "are"} not enrolled or expected: enroll ${one ? "it" : "them"} first (nephoran site token NAME), or send allowUnknownSites: true if ${one ? "it is" : "they are"} coming later`,
      { unknownSites: unknown },
    );
  }
  if (!sites.some((s) => selects(sel, { id: s.id, labels: s.labels }))) {
    throw new ApiError(
      422,
      ApiErrorCode.UnknownSites,
      `${describe(sel)} matches no enrolled or expected site: check the labels (nephoran site list), or send allowUnknownSites: true if such sites are coming later`,
    );
  }
}

/**
 * The selector an intent gets: the one given, or the sites the plan names; refused when it picks nothing,
 * and when the text names other sites than the selector given beside it (never silently overridden).
 */
export function requireSites(given: SiteSelector | undefined, plan: IntentPlan): SiteSelector {
  if (given && plan.sites && !sameSelector(given, plan.sites))
    throw new ApiError(
      422,
      ApiErrorCode.SitesConflict,
      `the intent names ${describe(plan.sites)} but the request's siteSelector says ${describe(given)}: leave one out, or make them agree`,
    );
  const sel = given ?? plan.sites;
  if (!sel || (!sel.all && !sel.names?.length && !Object.keys(sel.matchLabels ?? {}).length)) {
    throw new ApiError(
      400,
      ApiErrorCode.Validation,
      'say which sites: a siteSelector, or sites named in the intent ("at edge01", "all sites", region=eu)',
    );
  }
  return sel;
}

/**
 * Runs `write` — a change to one intent, its audit entry and what it means for every site — as one
 * transaction, then tells the sites.
 */
function commit(deps: HubDeps, write: () => { intent: Intent; changes: SiteChange[] }): Intent {
  const { intent, changes } = deps.store.transaction(write);
  deps.sync.changed(changes);
  return intent;
}

/**
 * Stores a new intent and what it means for every site, in one transaction, then tells sites and listeners.
 * With an idempotency key the id comes from the key: a request re-run after the hub died between its commit
 * and its answer finds the intent it made and answers with it, rather than making a second.
 */
export function createIntent(
  deps: HubDeps,
  input: Omit<NewIntent, "id">,
  api = "v1",
  idempotency?: { scope: string; key: string },
): Intent {
  const id = idempotency ? idempotentId("int", idempotency.scope, idempotency.key) : newId("int");
  const existing = idempotency && deps.store.getIntent(id);
  if (existing) return existing;
  const intent = commit(deps, () => {
    const created = deps.store.createIntent({ ...input, id });
    deps.store.audit({
      actor: input.createdBy,
      action: "intent.create",
      target: created.id,
      detail: { revision: 1, api },
    });
    return {
      intent: created,
      changes: deps.store.retargetIntent(created.id, created.revision, created.siteSelector),
    };
  });
  deps.events.publish({
    type: "intent.created",
    id: intent.id,
    revision: 1,
    at: deps.clock.now().toISOString(),
  });
  return intent;
}

/** A new revision of an intent if `ifRevision` is current, and what it means per site, in one transaction. */
export function changeIntent(
  deps: HubDeps,
  id: string,
  ifRevision: number,
  change: IntentChange,
  actor: string,
  fields: readonly string[] = Object.keys(change),
): Intent {
  return commit(deps, () => {
    const updated = deps.store.updateIntent(id, ifRevision, change);
    deps.store.audit({
      actor,
      action: "intent.update",
      target: id,
      detail: { revision: updated.revision, fields },
    });
    return {
      intent: updated,
      changes: deps.store.retargetIntent(id, updated.revision, updated.siteSelector),
    };
  });
}

/** Marks an intent for removal from every site it targets, in one transaction, then tells listeners. */
export function deleteIntent(deps: HubDeps, id: string, actor: string, api = "v1"): Intent {
  const intent = commit(deps, () => {
    const deleting = deps.store.markIntentDeleting(id);
    deps.store.audit({
      actor,
      action: "intent.delete",
      target: id,
      detail: { revision: deleting.revision, api },
    });
    return { intent: deleting, changes: deps.store.retargetIntent(id, null, null) };
  });
  deps.events.publish({
    type: "intent.deleting",
    id,
    revision: intent.revision,
    at: deps.clock.now().toISOString(),
  });
  return intent;
}

export { PlanningError };
