export { RulesPlanner } from "./planner";
export type { RulesPlannerDeps } from "./planner";
export { tokenize } from "./lexer";
export { knownSitesOf } from "./sites";
export type { KnownSites } from "./sites";
