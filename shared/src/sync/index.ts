export * from "./messages";
export * from "./errors";
export * from "./codec";
export * from "./transport";
export * from "./factory";
export { userNkey } from "./transports/nkey";
export type { UserNkey } from "./transports/nkey";
