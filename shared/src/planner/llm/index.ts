export { LlmPlanner } from "./planner";
export type { LlmConfig, LlmPlannerDeps } from "./planner";
export { knowledgeRetriever } from "./retrieve";
