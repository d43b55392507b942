/**
 * How a change of a fleet intent reaches its sites: all at once (no strategy), or staged — a canary, then
 * waves, each passing only when its sites are Ready at the new revision and a bake time has passed.
 */
import * as z from "zod";
import type { RolloutStrategy, SiteSelector, Stage } from "./plan";

export const RolloutState = z.enum(["Progressing", "Paused", "Completed", "RolledBack", "Superseded"]);
export type RolloutState = z.infer<typeof RolloutState>;

/** A site's place in a rollout's current or past stage. */
export const RolloutSiteState = z.enum(["Waiting", "Updating", "Ready", "Failed", "Unavailable"]);
export type RolloutSiteState = z.infer<typeof RolloutSiteState>;

/** How many sites `share` is of `total` (a percentage rounds up, so a share is never zero sites). */
export function shareOf(share: number | string, total: number): number {
  if (typeof share === "number") return Math.min(share, total);
  return Math.min(total, Math.ceil((parseFloat(share) / 100) * total - 1e-9));
}

/**
 * The stages a strategy makes of the targeted sites (`sites` in name order): the canary, the waves, and a
 * final wave of what is left. Each site is in one stage; an empty stage is an error, said as a sentence.
 */
export function stagesOf(
  strategy: RolloutStrategy,
  sites: readonly { id: string; labels: Readonly<Record<string, string>> }[],
  selects: (sel: SiteSelector, site: { id: string; labels: Readonly<Record<string, string>> }) => boolean,
): { stages: string[][] } | { error: string } {
  const percents = [strategy.canary, ...(strategy.waves ?? [])].filter((s) => typeof s === "string");
  const sum = percents.reduce((n, p) => n + parseFloat(p), 0);
  if (sum > 100 + 1e-9) return { error: `the stages add up to ${sum}% of the sites, over 100%` };
  const left = [...sites];
  const stages: string[][] = [];
  const specs: [string, Stage][] = [
    ...(strategy.canary === undefined ? [] : [["the canary", strategy.canary] as [string, Stage]]),
    ...(strategy.waves ?? []).map((w, i): [string, Stage] => [`wave ${i + 1}`, w]),
  ];
  for (const [name, spec] of specs) {
    let taken: typeof left;
    if (typeof spec === "object") {
      taken = left.filter((s) => selects(spec, s));
    } else {
      const n = shareOf(spec, sites.length);
      taken = left.slice(0, n);
    }
    if (!taken.length)
      return {
        error:
          typeof spec === "object"
            ? `${name} picks no site among those targeted and not in an earlier stage`
            : `${name} (${spec}) has no site left: the stages before it took all ${sites.length}`,
      };
    const ids = new Set(taken.map((s) => s.id));
    stages.push(taken.map((s) => s.id));
    for (let i = left.length - 1; i >= 0; i--) if (ids.has((left[i] as { id: string }).id)) left.splice(i, 1);
  }
  if (strategy.by !== undefined) {
    // One wave per value of the label, in value order; sites without it last.
    const key = strategy.by;
    const values = [
      ...new Set(left.flatMap((s) => (s.labels[key] === undefined ? [] : [s.labels[key]]))),
    ].sort();
    if (!values.length) return { error: `no targeted site has the label ${key}` };
    for (const v of values) stages.push(left.filter((s) => s.labels[key] === v).map((s) => s.id));
    const rest = left.filter((s) => s.labels[key] === undefined);
    if (rest.length) stages.push(rest.map((s) => s.id));
    return { stages };
  }
  if (left.length) stages.push(left.map((s) => s.id));
  return { stages };
}

/** The failure budget of a strategy over `total` sites. */
export const failureBudget = (strategy: RolloutStrategy, total: number): number =>
  strategy.maxFailures === undefined
    ? 0
    : typeof strategy.maxFailures === "number"
      ? strategy.maxFailures
      : Math.floor((parseFloat(strategy.maxFailures) / 100) * total + 1e-9);
