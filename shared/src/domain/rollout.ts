/**
 * How a change of a fleet intent reaches its sites: all at once (no strategy), or staged — a canary, then
 * waves, each passing only when its sites are Ready at the new revision and a bake time has passed.
 */
import { z } from "zod";
import { SiteSelector } from "./plan";

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

export const RolloutStrategy = z.strictObject({
  /** The first sites to get a change; a failure there stops it before any wave. */
  canary: Stage.optional(),
  /** Then these, in order; sites left after the last wave form one final wave. */
  waves: z.array(Stage).max(50).optional(),
  /**
   * Sites that may fail (report Failed, or not be Ready by their deadline), or be unavailable (offline when
   * their stage starts), before the rollout stops: a count or a percentage of the targeted sites. Default 0.
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
});
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;

/** Aborting (by the budget, or a person) rolls back in the same step: there is no resting "Aborted". */
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
