import type { PortSpec } from "../types";

/** The HTTP/2 service-based interface every 5GC control-plane NF exposes. */
export const SBI: PortSpec = {
  name: "sbi",
  port: 8080,
  protocol: "TCP",
  appProtocol: "http2",
  interface: "SBI",
};
export const METRICS: PortSpec = { name: "metrics", port: 9090, protocol: "TCP", appProtocol: "http" };
export const PFCP: PortSpec = {
  name: "n4",
  port: 8805,
  protocol: "UDP",
  appProtocol: "pfcp",
  interface: "N4",
};

export function gtpu(name: string, iface: string): PortSpec {
  return { name, port: 2152, protocol: "UDP", appProtocol: "gtp-u", interface: iface };
}
