export { Reconciler } from "./reconciler";
export type { ReconcileResult, ReconcilerDeps } from "./reconciler";
export { ReconcileLoop, DEFAULT_LOOP_OPTIONS } from "./loop";
export type { LoopOptions, LoopState, LoopStatus, Watcher } from "./loop";
export { contains } from "./compare";
