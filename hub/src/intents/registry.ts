/**
 * The sites the hub knows: enrolled (the store's directory, cached between site changes) or expected under
 * an unused enrollment token. Asked per word or per name, never copied whole: fleets are large.
 */
import type { KnownSites, SiteSelector } from "@nephoran/shared";
import { selects } from "@nephoran/shared";
import type { HubDeps } from "../deps";

export interface Registry extends KnownSites {
  /** Every known name, for "did you mean" (read only on a refusal). */
  names(): Iterable<string>;
  /** Whether any known site matches the selector. */
  anyMatches(sel: SiteSelector): Promise<boolean>;
}

export async function registry(deps: HubDeps): Promise<Registry> {
  const dir = await deps.store.sites.directory();
  const pending = await deps.store.enrollment.pending(deps.clock.now().toISOString());
  const pendingNames = new Set(pending.map((p) => p.site));
  return {
    hasSite: (name) => dir.names.has(name) || pendingNames.has(name),
    labelKeyOf: (value) => {
      const keys = new Set(dir.labelKeys.get(value) ?? []);
      for (const p of pending) for (const [k, v] of Object.entries(p.labels)) if (v === value) keys.add(k);
      return keys.size === 1 ? ([...keys][0] as string) : undefined;
    },
    names: () => [...dir.names, ...pendingNames],
    anyMatches: async (sel) => {
      if (sel.all) return dir.names.size + pendingNames.size > 0;
      if (sel.names?.some((n) => dir.names.has(n) || pendingNames.has(n))) return true;
      if (pending.some((p) => selects(sel, { id: p.site, labels: p.labels }))) return true;
      if (!Object.keys(sel.matchLabels ?? {}).length) return false;
      // Label selectors: stop at the first enrolled site that matches.
      return (await deps.store.sites.list({ limit: 1, where: (s) => selects(sel, s) })).items.length > 0;
    },
  };
}
