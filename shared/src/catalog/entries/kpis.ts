/**
 * How an expectation is measured on an NF: PromQL over the metrics the NF images export, one query per
 * expectation target. `{{pods}}` is a regular expression matching the NF's pods at the site and `{{window}}`
 * the rate window (the agent's `--metrics-window`). The agent evaluates each as an instant query.
 */
import type { NfSpecInput } from "../types";

type Kpis = NonNullable<NfSpecInput["kpis"]>;

const rateOf = (metric: string, filter = "") => `sum(rate(${metric}{pod=~"{{pods}}"${filter}}[{{window}}]))`;
const mbps = (metric: string, filter = "") => `${rateOf(metric, filter)} * 8 / 1e6`;
const p99ms = (metric: string) =>
  `histogram_quantile(0.99, sum by (le) (rate(${metric}_bucket{pod=~"{{pods}}"}[{{window}}]))) * 1000`;

/** Any NF: the share of the window its pods were up (Prometheus's own `up`), in percent. */
export const AVAILABILITY = `avg(avg_over_time(up{pod=~"{{pods}}"}[{{window}}])) * 100`;

export const UPF_KPIS: Kpis = {
  throughput_mbps: mbps("nephoran_upf_bytes_total"),
  dl_throughput_mbps: mbps("nephoran_upf_bytes_total", ',direction="downlink"'),
  ul_throughput_mbps: mbps("nephoran_upf_bytes_total", ',direction="uplink"'),
  latency_ms: p99ms("nephoran_upf_packet_latency_seconds"),
  users: 'sum(nephoran_upf_sessions{pod=~"{{pods}}"})',
};

export const AMF_KPIS: Kpis = {
  users: 'sum(nephoran_amf_registered_ues{pod=~"{{pods}}"})',
  devices: 'sum(nephoran_amf_registered_ues{pod=~"{{pods}}"})',
};

export const SMF_KPIS: Kpis = {
  users: 'sum(nephoran_smf_pdu_sessions{pod=~"{{pods}}"})',
};

export const RAN_KPIS: Kpis = {
  throughput_mbps: mbps("nephoran_ran_bytes_total"),
  dl_throughput_mbps: mbps("nephoran_ran_bytes_total", ',direction="downlink"'),
  ul_throughput_mbps: mbps("nephoran_ran_bytes_total", ',direction="uplink"'),
  latency_ms: p99ms("nephoran_ran_air_latency_seconds"),
  users: 'sum(nephoran_ran_connected_ues{pod=~"{{pods}}"})',
  devices: 'sum(nephoran_ran_connected_ues{pod=~"{{pods}}"})',
};
