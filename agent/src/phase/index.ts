export type { Condition, Outcome, Seen, Workload } from "./phase";
export { phaseOf, sameConditions, sameNfStatus, stamp } from "./phase";
