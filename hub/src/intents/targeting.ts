/** Which sites an intent is for: the selector it gets, and the refusal of sites the hub does not know. */
import type { IntentPlan, SiteSelector } from "@nephoran/shared";
import { didYouMean } from "@nephoran/shared";
import type { HubDeps } from "../deps";
import { IntentError, IntentErrorCode } from "./errors";
import { registry } from "./registry";

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

/**
 * Refuses a selector that names a site the hub does not know, or that matches no site at all — a typo
 * ("egde01") would otherwise be accepted and wait for ever — unless the caller says the sites are coming
 * later (`allowUnknownSites`).
 */
export async function requireKnownSites(
  deps: HubDeps,
  sel: SiteSelector,
  allowUnknownSites = false,
): Promise<void> {
  if (allowUnknownSites) return;
  const known = await registry(deps);
  const unknown = (sel.names ?? []).filter((n) => !known.hasSite(n));
  if (unknown.length > 0) {
    const one = unknown.length === 1;
    const names = [...known.names()];
    const list = unknown.map((n) => `"${n}"${didYouMean(n, names)}`).join(", ");
    throw new IntentError(
      IntentErrorCode.UnknownSites,
      `${one ? "site" : "sites"} ${list} ${one ? "is" : "are"} not enrolled or expected: enroll ${one ? "it" : "them"} first (nephoran site token NAME), or send allowUnknownSites: true if ${one ? "it is" : "they are"} coming later`,
      { unknownSites: unknown },
    );
  }
  if (!(await known.anyMatches(sel))) {
    throw new IntentError(
      IntentErrorCode.UnknownSites,
      `${describe(sel)} matches no enrolled or expected site: check the labels (nephoran site list), or send allowUnknownSites: true if such sites are coming later`,
    );
  }
}

/**
 * The selector an intent gets: the one given, or the sites the plan names; refused when it picks nothing,
 * and when the text names other sites than the selector given beside it (never silently overridden).
 */
export function selectorFor(given: SiteSelector | undefined, plan: IntentPlan): SiteSelector {
  if (given && plan.sites && !sameSelector(given, plan.sites))
    throw new IntentError(
      IntentErrorCode.SitesConflict,
      `the intent names ${describe(plan.sites)} but the request's siteSelector says ${describe(given)}: leave one out, or make them agree`,
    );
  const sel = given ?? plan.sites;
  if (!sel || (!sel.all && !sel.names?.length && !Object.keys(sel.matchLabels ?? {}).length)) {
    throw new IntentError(
      IntentErrorCode.NoSites,
      'say which sites: a siteSelector, or sites named in the intent ("at edge01", "all sites", region=eu)',
    );
  }
  return sel;
}
