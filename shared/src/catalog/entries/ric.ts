import type { NfSpecInput } from "../types";
import { METRICS } from "./ports";

const ORAN_SC = "nexus3.o-ran-sc.org:10002/o-ran-sc";

/** O-RAN near-real-time RIC and its applications. */
export const RIC_NFS: NfSpecInput[] = [
  {
    id: "near-rt-ric",
    displayName: "Near-RT RIC",
    aliases: [
      "near-rt-ric",
      "near-rt ric",
      "near rt ric",
      "nearrt ric",
      "near-real-time ric",
      "near real-time ric",
      "near real time ric",
      "near-real-time radio intelligent controller",
      "near real-time radio intelligent controller",
      "near real time radio intelligent controller",
      "radio intelligent controller",
      "ric",
    ],
    domain: "ric",
    description:
      "Control loops of 10 ms to 1 s over E2 nodes; hosts xApps; receives A1 policies from the non-RT RIC.",
    image: `${ORAN_SC}/ric-plt-e2:6.0.4`,
    ports: [
      { name: "e2", port: 36421, protocol: "SCTP", appProtocol: "e2ap", interface: "E2" },
      { name: "a1", port: 10000, protocol: "TCP", appProtocol: "http", interface: "A1" },
      METRICS,
    ],
    resources: { default: { cpu: "1", memory: "2Gi" }, max: { cpu: "8", memory: "16Gi" } },
    maxReplicas: 3,
    dependencies: [],
    capabilities: [],
    stateful: true,
    defaultNamespace: "ric",
    sizing: [],
  },
  {
    id: "xapp",
    displayName: "xApp",
    aliases: ["xapp", "x-app", "ric app", "ric application"],
    domain: "ric",
    description:
      "An application on the near-RT RIC (traffic steering, QoS prediction …) talking RMR to the platform.",
    image: `${ORAN_SC}/ric-app-ts:1.2.5`,
    ports: [
      { name: "rmr", port: 4560, protocol: "TCP", appProtocol: "rmr" },
      { name: "http", port: 8080, protocol: "TCP", appProtocol: "http" },
    ],
    resources: { default: { cpu: "250m", memory: "256Mi" }, max: { cpu: "2", memory: "4Gi" } },
    dependencies: ["near-rt-ric"],
    capabilities: [],
    stateful: false,
    defaultNamespace: "ric",
    sizing: [],
  },
];
