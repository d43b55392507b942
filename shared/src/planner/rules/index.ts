export { RulesPlanner } from "./planner";
export type { RulesPlannerDeps } from "./planner";
export { tokenize } from "./lexer";
