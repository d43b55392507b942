export * from "./domain";
export * from "./catalog";
export * from "./guardrails";
export * from "./result";
export * from "./planner";
export * from "./schema";
export * from "./cli";
export * from "./render";
