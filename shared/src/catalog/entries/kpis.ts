/**
 * How an expectation is measured on an NF: PromQL over the metrics the NF images export, one query per
 * expectation target. `{{pods}}` is a regular expression matching the NF's pods at the site and `{{window}}`
 * the rate window (the agent's `--metrics-window`). `{{by}}` and `{{le}}` let the agent ask once for every
 * intent's pods (`by (pod)`, `le, pod`) and split the answer per intent: `across` says how one intent's
 * pods add up (a throughput sums, a latency takes the worst pod, an availability the mean).
 */
import type { NfSpecInput } from "../types";

type Kpis = NonNullable<NfSpecInput["kpis"]>;

const rateOf = (metric: string, filter = "") =>
  `sum {{by}} (rate(${metric}{pod=~"{{pods}}"${filter}}[{{window}}]))`;
const mbps = (metric: string, filter = "") => ({
  query: `${rateOf(metric, filter)} * 8 / 1e6`,
  across: "sum" as const,
});
const p99ms = (metric: string) => ({
  query: `histogram_quantile(0.99, sum by ({{le}}) (rate(${metric}_bucket{pod=~"{{pods}}"}[{{window}}]))) * 1000`,
  across: "max" as const,
});
const total = (metric: string) => ({
  query: `sum {{by}} (${metric}{pod=~"{{pods}}"})`,
  across: "sum" as const,
});

/** Any NF: the share of the window its pods were up (Prometheus's own `up`), in percent. */
export const AVAILABILITY = {
  query: `avg {{by}} (avg_over_time(up{pod=~"{{pods}}"}[{{window}}])) * 100`,
  across: "avg" as const,
};

export const UPF_KPIS: Kpis = {
  throughput_mbps: mbps("nephoran_upf_bytes_total"),
  dl_throughput_mbps: mbps("nephoran_upf_bytes_total", ',direction="downlink"'),
  ul_throughput_mbps: mbps("nephoran_upf_bytes_total", ',direction="uplink"'),
  latency_ms: p99ms("nephoran_upf_packet_latency_seconds"),
  users: total("nephoran_upf_sessions"),
};

export const AMF_KPIS: Kpis = {
  users: total("nephoran_amf_registered_ues"),
  devices: total("nephoran_amf_registered_ues"),
};

export const SMF_KPIS: Kpis = {
  users: total("nephoran_smf_pdu_sessions"),
};

export const RAN_KPIS: Kpis = {
  throughput_mbps: mbps("nephoran_ran_bytes_total"),
  dl_throughput_mbps: mbps("nephoran_ran_bytes_total", ',direction="downlink"'),
  ul_throughput_mbps: mbps("nephoran_ran_bytes_total", ',direction="uplink"'),
  latency_ms: p99ms("nephoran_ran_air_latency_seconds"),
  users: total("nephoran_ran_connected_ues"),
  devices: total("nephoran_ran_connected_ues"),
};
