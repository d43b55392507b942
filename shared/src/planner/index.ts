export * from "./errors";
export * from "./types";
export * from "./rules";
export * from "./llm";
