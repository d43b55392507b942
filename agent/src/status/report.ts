/** What the status endpoint shows of a running agent: one typed snapshot, read from the agent's parts. */
import type { ExpectationStatus, NfStatus, Phase, Remediation, ReportCondition } from "@nephoran/shared";
import type { AssurancePass } from "../assurance";
import type { Agent } from "../agent";
import { AGENT_VERSION } from "../agent";
import type { KnowledgeStatus } from "../knowledge";
import type { LoopStatus } from "../reconcile";
import type { LinkState, SyncClientStatus } from "../sync/client";

export interface IntentStatus {
  readonly id: string;
  readonly name: string;
  readonly origin: "hub" | "local";
  readonly revision: number;
  readonly appliedRevision: number | null;
  readonly phase: Phase;
  readonly phaseChangedAt: string;
  readonly conditions: readonly ReportCondition[];
  readonly nfs: readonly NfStatus[];
  /** How each of its expectations stands (intents with expectations only). */
  readonly expectations: readonly ExpectationStatus[];
  /** What the closed loop changed of it, per NF. */
  readonly remediations: readonly Remediation[];
}

export interface HubLinkStatus extends Partial<Omit<SyncClientStatus, "link">> {
  /** `none` when the site is not enrolled; `failed` when sync could not start (see `error`). */
  readonly link: LinkState | "none" | "failed";
  readonly error?: string;
  readonly configured: boolean;
  readonly transport: string | null;
  readonly url: string | null;
}

export interface AgentStatus {
  readonly site: string;
  readonly version: string;
  readonly startedAt: string;
  readonly target: string;
  readonly hub: HubLinkStatus;
  /** The hub's desired version this site has committed, and the reports still waiting for the hub. */
  readonly desiredVersion: number;
  readonly outbox: number;
  readonly reconcile: LoopStatus;
  readonly intents: readonly IntentStatus[];
  readonly knowledge: KnowledgeStatus;
  /** Where expectations are measured, and the last pass. */
  readonly assurance: {
    readonly metrics: string | null;
    readonly intervalSeconds: number;
    readonly last: AssurancePass | null;
    /** The last ten passes, oldest first. */
    readonly recent: readonly AssurancePass[];
  };
}

export function statusOf(agent: Agent): AgentStatus {
  const store = agent.store;
  const creds = agent.config.sync;
  const link = agent.sync?.status();
  return {
    site: agent.config.site,
    version: AGENT_VERSION,
    startedAt: agent.startedAt.toISOString(),
    target: agent.target.describe,
    hub: {
      configured: creds !== undefined,
      transport: creds?.transport ?? null,
      url: creds?.url ?? null,
      ...(link ??
        (agent.syncError
          ? { link: "failed" as const, error: agent.syncError, connected: false }
          : { link: creds ? ("connecting" as const) : ("none" as const), connected: false })),
    },
    desiredVersion: store.ackedVersion(),
    outbox: store.outboxDepth(),
    reconcile: agent.loop.status(),
    intents: intentsOf(agent),
    knowledge: agent.knowledge.status(),
    assurance: {
      metrics: agent.config.assurance.metrics ?? null,
      intervalSeconds: agent.config.assurance.intervalSeconds,
      last: agent.assurance.last ?? null,
      recent: agent.assurance.recent,
    },
  };
}

/** Each intent the site holds, with its phase and its network functions' readiness. */
export function intentsOf(agent: Agent): IntentStatus[] {
  return agent.store.listIntents().map((i) => ({
    id: i.id,
    name: i.name,
    origin: i.origin,
    revision: i.revision,
    appliedRevision: i.appliedRevision,
    phase: i.phase,
    phaseChangedAt: i.phaseChangedAt,
    conditions: i.conditions,
    nfs: agent.store.nfStatus(i.id),
    expectations: agent.assurance.current(i.id),
    remediations: agent.store
      .remediations(i.id)
      .filter((r) => r.revision === i.revision)
      .map(({ intentId: _, revision: __, ...r }) => r),
  }));
}
