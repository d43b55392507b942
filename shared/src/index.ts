export * from "./domain";
export * from "./catalog";
export * from "./guardrails";
export * from "./result";
export * from "./planner";
