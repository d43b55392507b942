/**
 * Guardrails on rendered objects, the last check before anything reaches a cluster: only the kinds
 * rendering makes, namespaced, unprivileged, off the host.
 */
import type { Violation } from "../guardrails";
import { GuardrailRule } from "../guardrails";
import type { K8sObject } from "./types";
import { RENDERED_KINDS } from "./types";

type PodSpec = {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: { hostPath?: unknown }[];
  containers?: {
    name?: string;
    securityContext?: {
      privileged?: boolean;
      allowPrivilegeEscalation?: boolean;
      capabilities?: { add?: string[] };
    };
  }[];
};

const ALLOWED_CAPS = new Set(["NET_ADMIN", "NET_RAW", "SYS_NICE", "IPC_LOCK"]);

export function verifyObjects(objects: readonly K8sObject[]): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    const at = `${o.kind}/${o.metadata.name}`;
    if (!(RENDERED_KINDS as readonly string[]).includes(o.kind) || !o.metadata.namespace) {
      out.push({
        rule: GuardrailRule.NoClusterScoped,
        path: at,
        message: `${o.kind} is not a namespaced workload object rendering may produce`,
      });
      continue;
    }
    const pod = (o as { spec?: { template?: { spec?: PodSpec } } }).spec?.template?.spec;
    if (!pod) continue;
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) {
      out.push({
        rule: GuardrailRule.NoHostNetwork,
        path: at,
        message: "pods may not share the host's network, PID or IPC namespace",
      });
    }
    if (pod.volumes?.some((v) => v.hostPath !== undefined)) {
      out.push({ rule: GuardrailRule.NoHostPath, path: at, message: "pods may not mount host paths" });
    }
    for (const c of pod.containers ?? []) {
      const sc = c.securityContext;
      if (!sc || sc.privileged !== false || sc.allowPrivilegeEscalation !== false) {
        out.push({
          rule: GuardrailRule.NoPrivileged,
          path: `${at}/${c.name ?? "?"}`,
          message: "containers must be unprivileged without privilege escalation",
        });
      }
      const extra = (sc?.capabilities?.add ?? []).filter((cap) => !ALLOWED_CAPS.has(cap));
      if (extra.length) {
        out.push({
          rule: GuardrailRule.NoPrivileged,
          path: `${at}/${c.name ?? "?"}`,
          message: `capabilities ${extra.join(", ")} are not allowed`,
        });
      }
    }
  }
  return out;
}
