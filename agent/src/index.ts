/** @nephoran/agent — the per-site agent: local intent store and reconciler. Arrives with its issue. */
export const AGENT_PACKAGE = "@nephoran/agent";
