export { AgentStore } from "./store";
export { lockDataDir } from "./lock";
export type { DataDirLock } from "./lock";
export type { HistoryEntry, IntentInput, IntentOrigin, PhaseUpdate, StoredIntent } from "./intents";
export type { OutboxMessage } from "./outbox";
export type { DesiredBatch } from "./cursor";
export type { TrackedExpectation } from "./expectations";
export type { StoredRemediation } from "./remediations";
export * from "./errors";
