/** @nephoran/hub — fleet intents, sites, enrollment and status rollup. */
export { Hub, createHub } from "./hub";
export type { HubOptions } from "./hub";
export * from "./config";
export { createApp } from "./api/app";
export type { HubDeps } from "./api/env";
export * from "./store";
export { rollup, presenceOf } from "./rollup";
export { EventBus } from "./events";
export type { HubEvent } from "./events";
export { hashToken, newToken } from "./auth/tokens";
export { HUB_COMMANDS, hubCommand, intentCommand, siteCommand } from "./cli/commands";
export { brokerAccess, mosquittoAcl, mosquittoHash, natsAuthConf } from "./sync/access";
export { EmbeddedBroker, HUB_USER } from "./sync/broker";
export { NO_SYNC, SyncService } from "./sync/service";
export type { SyncPort } from "./sync/service";
export { changeIntent, createIntent, deleteIntent, resolvePlan, selectorFor } from "./intents";
