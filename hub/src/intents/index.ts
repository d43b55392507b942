export { IntentError, IntentErrorCode } from "./errors";
export type { PlanInput } from "./planning";
export { resolvePlan } from "./planning";
export { requireKnownSites, selectorFor } from "./targeting";
export { changeIntent, createIntent, deleteIntent } from "./lifecycle";
