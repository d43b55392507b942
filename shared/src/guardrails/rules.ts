/** Guardrail rule ids: stable names that refusals cite, so people and programs can tell which rule broke. */
export const GuardrailRule = {
  Schema: "plan.schema",
  TextLength: "text.length",
  KnownNf: "catalog.known-nf",
  Replicas: "replicas.range",
  ResourcesMax: "resources.max",
  Namespace: "namespace.allowlist",
  NoPrivileged: "security.no-privileged",
  NoHostNetwork: "security.no-host-network",
  NoHostPath: "security.no-host-path",
  NoClusterScoped: "security.no-cluster-scoped",
  ActionShape: "action.shape",
  UniqueAction: "action.unique",
  Policy: "policy.a1-20008",
  Slice: "slice.shape",
  Sites: "sites.selector",
  Expectation: "expectation.range",
} as const;
export type GuardrailRule = (typeof GuardrailRule)[keyof typeof GuardrailRule];

export interface Violation {
  readonly rule: GuardrailRule;
  /** Where in the plan, e.g. "actions[1].replicas". */
  readonly path: string;
  readonly message: string;
}

/** Namespaces that no plan may target, whatever the allowlist says. */
/** The cluster's own namespaces: never a network function's, whatever a policy allows. */
export const FORBIDDEN_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];
export const FORBIDDEN_NAMESPACE_PREFIXES: readonly string[] = ["kube-", "cattle-", "k3s-"];

/**
 * The default policy: the namespace families operators use for core, RAN, RIC and test workloads (each name
 * and its "-…" variants, e.g. oran-odu, ran-cu, 5gc-amf). Configurable at the hub and the agent
 * (`guardrails.namespaces`).
 */
export const DEFAULT_NAMESPACE_ALLOWLIST: readonly string[] = [
  "default",
  "nephoran",
  "nephoran-*",
  ...[
    "5g",
    "5gc",
    "5g-core",
    "core",
    "ran",
    "oran",
    "o-ran",
    "ric",
    "sim",
    "edge",
    "test",
    "testing",
    "lab",
  ].flatMap((family) => [family, `${family}-*`]),
];

/** A1 policy type for traffic steering (O-RAN SC). */
export const TRAFFIC_STEERING_POLICY_TYPE = 20008;

/** Param keys that would ask for privileges, host access or cluster-wide objects, by the rule they break. */
export const FORBIDDEN_PARAM_KEYS: readonly { readonly pattern: RegExp; readonly rule: GuardrailRule }[] = [
  {
    pattern:
      /privileged|privilege.?escalation|run.?as.?root|^capabilities$|cap.?sys.?admin|security.?context/i,
    rule: GuardrailRule.NoPrivileged,
  },
  { pattern: /host.?(network|pid|ipc|port)/i, rule: GuardrailRule.NoHostNetwork },
  { pattern: /host.?path|host.?mount/i, rule: GuardrailRule.NoHostPath },
  {
    pattern: /cluster.?role|^rbac$|^crd$|custom.?resource.?definition|cluster.?scoped/i,
    rule: GuardrailRule.NoClusterScoped,
  },
];
