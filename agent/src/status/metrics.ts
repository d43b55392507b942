/** The agent's Prometheus metrics in the text exposition format, written from a status snapshot. */
import { Fulfilment, Phase } from "@nephoran/shared";
import type { AgentStatus } from "./report";

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : 0);

export function metricsText(s: AgentStatus, cpuSeconds: number, rssBytes: number): string {
  const out: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  metric("nephoran_agent_info", "gauge", "The agent's site and version", [
    [`{site="${label(s.site)}",version="${label(s.version)}"}`, 1],
  ]);
  const byPhase = new Map<string, number>(Phase.options.map((p) => [p, 0]));
  for (const i of s.intents) byPhase.set(i.phase, (byPhase.get(i.phase) ?? 0) + 1);
  metric(
    "nephoran_agent_intents",
    "gauge",
    "Intents held by phase",
    [...byPhase.entries()].map(([p, n]) => [`{phase="${label(p)}"}`, n]),
  );
  metric(
    "nephoran_agent_nf_ready",
    "gauge",
    "Network function instances ready (1) or not (0)",
    s.intents.flatMap((i) =>
      i.nfs.map((nf): [string, number] => [
        `{intent="${label(i.id)}",nf="${label(nf.nf)}",name="${label(nf.name)}"}`,
        nf.ready ? 1 : 0,
      ]),
    ),
  );
  metric(
    "nephoran_agent_expectation_state",
    "gauge",
    "Each expectation of each intent: 1 for the state it is in (Fulfilled, Degraded, NotFulfilled, Unknown)",
    s.intents.flatMap((i) =>
      i.expectations.flatMap((x) =>
        Fulfilment.options.map((state): [string, number] => [
          `{intent="${label(i.id)}",index="${x.index}",target="${x.target}",state="${state}"}`,
          x.state === state ? 1 : 0,
        ]),
      ),
    ),
  );
  metric(
    "nephoran_agent_expectation_measured",
    "gauge",
    "The value last measured for each expectation",
    s.intents.flatMap((i) =>
      i.expectations
        .filter((x) => x.measured !== undefined)
        .map((x): [string, number] => [
          `{intent="${label(i.id)}",index="${x.index}",target="${x.target}"}`,
          x.measured as number,
        ]),
    ),
  );
  metric("nephoran_agent_hub_connected", "gauge", "Whether the link to the hub is up", [
    ["", s.hub.connected ? 1 : 0],
  ]);
  metric("nephoran_agent_desired_version", "gauge", "The hub's desired version this site committed", [
    ["", s.desiredVersion],
  ]);
  metric(
    "nephoran_agent_hub_link",
    "gauge",
    "The link to the hub: 1 for the state it is in (connecting, online, offline, resyncing, failed, none)",
    ["connecting", "online", "offline", "resyncing", "failed", "none"].map((state) => [
      `{state="${state}"}`,
      s.hub.link === state ? 1 : 0,
    ]),
  );
  metric("nephoran_agent_hub_version", "gauge", "The newest desired version the hub announced", [
    ["", s.hub.hubVersion ?? 0],
  ]);
  metric("nephoran_agent_outbox_depth", "gauge", "Reports waiting for the hub", [["", s.outbox]]);
  metric("nephoran_agent_sync_messages_total", "counter", "Messages from the hub by outcome", [
    ['{outcome="received"}', s.hub.received ?? 0],
    ['{outcome="applied"}', s.hub.applied ?? 0],
    ['{outcome="refused"}', s.hub.refused ?? 0],
  ]);
  metric(
    "nephoran_agent_last_sync_timestamp_seconds",
    "gauge",
    "When the last change from the hub was committed",
    [["", seconds(s.hub.lastSyncAt)]],
  );
  metric(
    "nephoran_agent_reconcile_last_success_timestamp_seconds",
    "gauge",
    "When the last reconcile pass succeeded",
    [["", seconds(s.reconcile.lastSuccessAt)]],
  );
  metric("nephoran_agent_reconcile_consecutive_failures", "gauge", "Reconcile passes failed in a row", [
    ["", s.reconcile.consecutiveFailures],
  ]);
  metric("nephoran_agent_reconcile_last_duration_seconds", "gauge", "Duration of the last successful pass", [
    ["", (s.reconcile.lastResult?.durationMs ?? 0) / 1000],
  ]);
  const q = s.knowledge.queries;
  out.push(
    "# HELP rag_query_duration_seconds Searches of the site's knowledge base (the model's first load aside)",
    "# TYPE rag_query_duration_seconds histogram",
    ...q.bounds.map((le, i) => `rag_query_duration_seconds_bucket{le="${le}"} ${q.counts[i] ?? 0}`),
    `rag_query_duration_seconds_bucket{le="+Inf"} ${q.count}`,
    `rag_query_duration_seconds_sum ${q.sum}`,
    `rag_query_duration_seconds_count ${q.count}`,
  );
  metric("process_cpu_seconds_total", "counter", "User and system CPU time", [["", cpuSeconds]]);
  metric("process_resident_memory_bytes", "gauge", "Resident memory", [["", rssBytes]]);
  return `${out.join("\n")}\n`;
}
