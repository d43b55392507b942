export { createStatusApp, readiness } from "./app";
export type { StatusApp, StatusAppDeps, StatusReply, StatusRequest } from "./app";
export { serveStatus } from "./server";
export type { StatusServer } from "./server";
export { statusOf } from "./report";
export type { AgentStatus, IntentStatus, HubLinkStatus } from "./report";
