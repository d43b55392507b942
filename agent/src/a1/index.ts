export type { A1Options, A1Status } from "./client";
export { A1Client, A1Error, DEFAULT_A1 } from "./client";
export type { Enforcement } from "./enforcer";
export { A1Enforcer } from "./enforcer";
