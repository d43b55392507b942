import type { NfSpecInput } from "../types";

/** Simulators and test equipment. */
export const SIM_NFS: NfSpecInput[] = [
  {
    id: "e2sim",
    displayName: "E2 Simulator",
    aliases: ["e2sim", "e2 sim", "e2 simulator", "e2-simulator", "e2 node simulator", "ran simulator"],
    domain: "sim",
    description: "Simulates E2 nodes (KPM, RC service models) towards a near-RT RIC for testing xApps.",
    image: "nexus3.o-ran-sc.org:10002/o-ran-sc/sim-e2-interface:1.0.0",
    ports: [{ name: "e2", port: 36422, protocol: "SCTP", appProtocol: "e2ap", interface: "E2" }],
    resources: { default: { cpu: "250m", memory: "256Mi" }, max: { cpu: "2", memory: "2Gi" } },
    maxReplicas: 20,
    dependencies: ["near-rt-ric"],
    capabilities: [],
    stateful: false,
    defaultNamespace: "sim",
    sizing: [],
  },
  {
    id: "trafficgen",
    displayName: "Traffic Generator",
    aliases: [
      "trafficgen",
      "traffic generator",
      "traffic gen",
      "load generator",
      "packet generator",
      "iperf",
    ],
    domain: "sim",
    description: "Generates user-plane load (iperf3) to test UPF and RAN throughput.",
    image: "networkstatic/iperf3:3.16",
    ports: [
      { name: "iperf", port: 5201, protocol: "TCP", appProtocol: "iperf3" },
      { name: "iperf-udp", port: 5201, protocol: "UDP", appProtocol: "iperf3" },
    ],
    resources: { default: { cpu: "500m", memory: "256Mi" }, max: { cpu: "4", memory: "4Gi" } },
    maxReplicas: 20,
    dependencies: [],
    capabilities: [],
    stateful: false,
    defaultNamespace: "sim",
    sizing: [],
  },
];
