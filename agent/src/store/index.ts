export * from "./store";
export * from "./errors";
