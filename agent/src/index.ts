/** @nephoran/agent — the per-site agent: local intent store, reconciler and targets. */
export { Agent } from "./agent";
export type { AgentDeps } from "./agent";
export * from "./config";
export * from "./store";
export * from "./target";
export * from "./reconcile";
export * from "./crd";
export { AGENT_COMMANDS } from "./cli";
export { SyncClient, DEFAULT_SYNC_OPTIONS } from "./sync/client";
export type { SyncClientOptions, SyncClientStatus, SyncStore } from "./sync/client";
export * from "./assurance";
export * from "./a1";
export { createStatusApp } from "./status";
