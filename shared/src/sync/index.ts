export * from "./messages";
export * from "./errors";
export * from "./codec";
export * from "./transport";
export * from "./factory";
