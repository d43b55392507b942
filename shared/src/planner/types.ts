import type { IntentPlan, PlanSource } from "../domain";
import type { Result } from "../result";
import type { PlanningError } from "./errors";
import type { KnownSites } from "./rules/sites";

export type { KnownSites };

export interface PlanOutput {
  readonly plan: IntentPlan;
  readonly source: PlanSource;
  readonly confidence: number;
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  /** Current replica counts per NF id, so relative changes ("scale in by 2") can be resolved. */
  readonly current?: Readonly<Record<string, number>>;
  /**
   * The sites the caller knows (the hub's registry, an agent's own name): named in the text, they are
   * sites whatever they look like ("on site demo", "at berlin-core").
   */
  readonly sites?: KnownSites;
}

export type PlanResult = Result<PlanOutput, PlanningError>;

/** Text → plan. Implementations: the rules planner (offline) and the LLM planner. */
export interface Planner {
  plan(text: string, options?: PlanOptions): Promise<PlanResult>;
}
