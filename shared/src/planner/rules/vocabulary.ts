/** The words the rules planner knows, other than NF names (those come from the catalog). */
import type { Priority, SliceType } from "../../domain";

export type VerbKind = "deploy" | "scale" | "delete" | "configure" | "stop";

export interface VerbEntry {
  readonly kind: VerbKind;
  /** Direction implied by the verb ("scale in", "reduce"), for relative changes. */
  readonly dir?: "up" | "down";
  /** Multiplier implied by the verb ("double"), for relative changes. */
  readonly factor?: number;
  /** enable/disable: a configure verb that sets a flag. */
  readonly flag?: boolean;
}

const v = (kind: VerbKind, extra: Omit<VerbEntry, "kind"> = {}): VerbEntry => ({ kind, ...extra });

export const VERBS: Record<string, VerbEntry> = {
  deploy: v("deploy"),
  redeploy: v("deploy"),
  "spin up": v("deploy"),
  spin: v("deploy"),
  start: v("deploy"),
  "start up": v("deploy"),
  "roll out": v("deploy"),
  rollout: v("deploy"),
  "set up": v("deploy"),
  setup: v("deploy"),
  launch: v("deploy"),
  install: v("deploy"),
  create: v("deploy"),
  provision: v("deploy"),
  "bring up": v("deploy"),
  "stand up": v("deploy"),
  "fire up": v("deploy"),
  "boot up": v("deploy"),
  instantiate: v("deploy"),
  run: v("deploy"),
  add: v("deploy"),
  establish: v("deploy"),
  onboard: v("deploy"),
  need: v("deploy"),
  want: v("deploy"),
  "i need": v("deploy"),
  "we need": v("deploy"),
  "i want": v("deploy"),
  "we want": v("deploy"),
  scale: v("scale"),
  rescale: v("scale"),
  resize: v("scale"),
  "scale up": v("scale", { dir: "up" }),
  "scale out": v("scale", { dir: "up" }),
  "scale down": v("scale", { dir: "down" }),
  "scale in": v("scale", { dir: "down" }),
  "scale back": v("scale", { dir: "down" }),
  increase: v("scale", { dir: "up" }),
  grow: v("scale", { dir: "up" }),
  expand: v("scale", { dir: "up" }),
  raise: v("scale", { dir: "up" }),
  bump: v("scale", { dir: "up" }),
  decrease: v("scale", { dir: "down" }),
  reduce: v("scale", { dir: "down" }),
  shrink: v("scale", { dir: "down" }),
  lower: v("scale", { dir: "down" }),
  "bring down": v("scale", { dir: "down" }),
  "cut down": v("scale", { dir: "down" }),
  double: v("scale", { dir: "up", factor: 2 }),
  triple: v("scale", { dir: "up", factor: 3 }),
  halve: v("scale", { dir: "down", factor: 0.5 }),
  stop: v("stop"),
  "shut down": v("stop"),
  shutdown: v("stop"),
  pause: v("stop"),
  suspend: v("stop"),
  delete: v("delete"),
  remove: v("delete"),
  "tear down": v("delete"),
  teardown: v("delete"),
  destroy: v("delete"),
  decommission: v("delete"),
  undeploy: v("delete"),
  uninstall: v("delete"),
  deprovision: v("delete"),
  terminate: v("delete"),
  kill: v("delete"),
  drop: v("delete"),
  purge: v("delete"),
  "get rid of": v("delete"),
  "take down": v("delete"),
  configure: v("configure"),
  upgrade: v("configure"),
  downgrade: v("configure"),
  reconfigure: v("configure"),
  set: v("configure"),
  update: v("configure"),
  change: v("configure"),
  modify: v("configure"),
  adjust: v("configure"),
  tune: v("configure"),
  give: v("configure"),
  allocate: v("configure"),
  assign: v("configure"),
  patch: v("configure"),
  apply: v("configure"),
  enable: v("configure", { flag: true }),
  "turn on": v("configure", { flag: true }),
  "switch on": v("configure", { flag: true }),
  activate: v("configure", { flag: true }),
  disable: v("configure", { flag: false }),
  "turn off": v("configure", { flag: false }),
  "switch off": v("configure", { flag: false }),
  deactivate: v("configure", { flag: false }),
};

export const PRIORITY_PHRASES: Record<string, Priority> = {
  critical: "critical",
  "mission critical": "critical",
  "business critical": "critical",
  emergency: "critical",
  "critical priority": "critical",
  "highest priority": "critical",
  "top priority": "critical",
  sev1: "critical",
  p0: "critical",
  "right now": "critical",
  urgent: "high",
  urgently: "high",
  prioritise: "high",
  prioritize: "high",
  prioritised: "high",
  prioritized: "high",
  expedite: "high",
  deprioritise: "low",
  deprioritize: "low",
  asap: "high",
  "as soon as possible": "high",
  immediately: "high",
  important: "high",
  "high priority": "high",
  "priority high": "high",
  "priority: high": "high",
  p1: "high",
  "medium priority": "medium",
  "normal priority": "medium",
  "priority medium": "medium",
  "low priority": "low",
  "priority low": "low",
  "not urgent": "low",
  "no rush": "low",
  "no hurry": "low",
  "when possible": "low",
  "whenever possible": "low",
  "when convenient": "low",
  "whenever convenient": "low",
  whenever: "low",
  "best effort": "low",
  "best-effort": "low",
  "low urgency": "low",
};

/** Requests for privileges or host access, each mapped to the plan param that the guardrails refuse. */
export const SECURITY_PHRASES: Record<string, string> = {
  privileged: "privileged",
  "privileged mode": "privileged",
  "privileged container": "privileged",
  "privileged containers": "privileged",
  "privilege escalation": "privileged",
  "run as root": "runAsRoot",
  "as root": "runAsRoot",
  "root access": "runAsRoot",
  "root privileges": "runAsRoot",
  "root user": "runAsRoot",
  "sys admin": "capabilities",
  sys_admin: "capabilities",
  "cap sys admin": "capabilities",
  "all capabilities": "capabilities",
  "host network": "hostNetwork",
  "host networking": "hostNetwork",
  hostnetwork: "hostNetwork",
  "host net": "hostNetwork",
  "host pid": "hostPID",
  hostpid: "hostPID",
  "host ipc": "hostIPC",
  "host port": "hostPort",
  hostport: "hostPort",
  "host path": "hostPath",
  hostpath: "hostPath",
  "host volume": "hostPath",
  "host filesystem": "hostPath",
  "host mount": "hostPath",
  "cluster admin": "clusterRole",
  "cluster-admin": "clusterRole",
  "cluster role": "clusterRole",
  clusterrole: "clusterRole",
  "cluster scoped": "clusterScoped",
  "cluster wide": "clusterScoped",
  crd: "crd",
  crds: "crd",
  rbac: "rbac",
};

/** Network functions people ask for that the catalog does not carry: refused by name, never guessed. */
export const UNSUPPORTED_NFS: readonly string[] = [
  "mme",
  "hss",
  "sgw",
  "s-gw",
  "pgw",
  "p-gw",
  "sgw-c",
  "sgw-u",
  "pgw-c",
  "pgw-u",
  "pcrf",
  "epc",
  "smsf",
  "lmf",
  "nwdaf",
  "scp",
  "sepp",
  "n3iwf",
  "bsf",
  "chf",
  "udsf",
  "ims",
  "p-cscf",
  "cscf",
  "smo",
  "non-rt ric",
  "non rt ric",
  "nonrt ric",
  "non-real-time ric",
  "non real-time ric",
  "non real time ric",
  "enb",
  "enodeb",
  "ru",
  "o-ru",
  "radio unit",
];

/** Names that stand for several NFs at once. */
export const BUNDLES: Record<string, { readonly ids: readonly string[]; readonly note?: string }> = {
  "5g core": { ids: ["nrf", "ausf", "udm", "udr", "pcf", "nssf", "amf", "smf", "upf"] },
  "5gc": { ids: ["nrf", "ausf", "udm", "udr", "pcf", "nssf", "amf", "smf", "upf"] },
  "5g sa core": { ids: ["nrf", "ausf", "udm", "udr", "pcf", "nssf", "amf", "smf", "upf"] },
  "5g core network": { ids: ["nrf", "ausf", "udm", "udr", "pcf", "nssf", "amf", "smf", "upf"] },
  "full core": { ids: ["nrf", "ausf", "udm", "udr", "pcf", "nssf", "amf", "smf", "upf"] },
  cu: { ids: ["cu-cp", "cu-up"], note: '"CU" read as both halves of the central unit: cu-cp and cu-up' },
  "o-cu": {
    ids: ["cu-cp", "cu-up"],
    note: '"O-CU" read as both halves of the central unit: cu-cp and cu-up',
  },
  "central unit": { ids: ["cu-cp", "cu-up"], note: '"central unit" read as both halves: cu-cp and cu-up' },
};

export const SLICE_TYPES: Record<string, SliceType> = {
  embb: "eMBB",
  "enhanced mobile broadband": "eMBB",
  "mobile broadband": "eMBB",
  broadband: "eMBB",
  "high bandwidth": "eMBB",
  "high-throughput": "eMBB",
  urllc: "URLLC",
  "ultra reliable low latency": "URLLC",
  "ultra-reliable low latency": "URLLC",
  "ultra reliable": "URLLC",
  "low latency": "URLLC",
  "low-latency": "URLLC",
  mmtc: "mMTC",
  miot: "mMTC",
  "massive iot": "mMTC",
  "massive machine type": "mMTC",
  "massive machine-type": "mMTC",
  iot: "mMTC",
};

/** Default SST per slice type (3GPP TS 23.501 §5.15.2.2). */
export const DEFAULT_SST: Record<SliceType, number> = { eMBB: 1, URLLC: 2, mMTC: 3 };

export const SLICE_NOUNS: readonly string[] = ["slice", "slices", "network slice", "network slices"];

export const POLICY_PHRASES: readonly string[] = [
  "traffic steering",
  "traffic-steering",
  "steer traffic",
  "steering policy",
  "a1 policy",
  "a1 policies",
  "ts policy",
];

export const ALL_SITES_PHRASES: readonly string[] = [
  "all sites",
  "all the sites",
  "all edge sites",
  "all of the sites",
  "all edges",
  "all clusters",
  "all edge clusters",
  "every site",
  "every edge site",
  "every edge",
  "every cluster",
  "each site",
  "everywhere",
  "fleet-wide",
  "fleetwide",
  "fleet wide",
  "across the fleet",
  "the whole fleet",
  "the entire fleet",
  "whole fleet",
  "entire fleet",
];

export const NEGATIONS: readonly string[] = [
  "don't",
  "dont",
  "do not",
  "never",
  "not",
  "doesn't",
  "does not",
  "shouldn't",
  "should not",
  "mustn't",
  "must not",
  "won't",
  "cannot",
  "can't",
];

export type Comparator = "IS_LESS_THAN" | "IS_GREATER_THAN" | "IS_EQUAL_TO";
export const COMPARATORS: Record<string, Comparator> = {
  "less than": "IS_LESS_THAN",
  "lower than": "IS_LESS_THAN",
  "smaller than": "IS_LESS_THAN",
  under: "IS_LESS_THAN",
  below: "IS_LESS_THAN",
  "at most": "IS_LESS_THAN",
  "no more than": "IS_LESS_THAN",
  "up to": "IS_LESS_THAN",
  within: "IS_LESS_THAN",
  max: "IS_LESS_THAN",
  maximum: "IS_LESS_THAN",
  "more than": "IS_GREATER_THAN",
  "greater than": "IS_GREATER_THAN",
  "higher than": "IS_GREATER_THAN",
  over: "IS_GREATER_THAN",
  above: "IS_GREATER_THAN",
  "at least": "IS_GREATER_THAN",
  min: "IS_GREATER_THAN",
  minimum: "IS_GREATER_THAN",
  exceeds: "IS_GREATER_THAN",
  exceed: "IS_GREATER_THAN",
  exceeding: "IS_GREATER_THAN",
  exactly: "IS_EQUAL_TO",
  "equal to": "IS_EQUAL_TO",
};

export type Noun =
  | "cpu"
  | "memory"
  | "replicas"
  | "users"
  | "devices"
  | "sessions"
  | "latency"
  | "throughput"
  | "availability"
  | "uplink"
  | "downlink"
  | "site"
  | "threshold"
  | "type"
  | "sst"
  | "sd"
  | "region"
  | "zone"
  | "params"
  | "version";

export const NOUNS: Record<string, Noun> = {
  cpu: "cpu",
  cpus: "cpu",
  "cpu core": "cpu",
  "cpu cores": "cpu",
  core: "cpu",
  cores: "cpu",
  vcpu: "cpu",
  vcpus: "cpu",
  "virtual cpus": "cpu",
  millicores: "cpu",
  millicpu: "cpu",
  memory: "memory",
  mem: "memory",
  ram: "memory",
  replica: "replicas",
  replicas: "replicas",
  instance: "replicas",
  instances: "replicas",
  copy: "replicas",
  copies: "replicas",
  pod: "replicas",
  pods: "replicas",
  "number of replicas": "replicas",
  "replica count": "replicas",
  user: "users",
  users: "users",
  subscriber: "users",
  subscribers: "users",
  subs: "users",
  ue: "users",
  ues: "users",
  customers: "users",
  device: "devices",
  devices: "devices",
  "iot devices": "devices",
  sensors: "devices",
  connections: "devices",
  "connected devices": "devices",
  meters: "devices",
  session: "sessions",
  sessions: "sessions",
  "pdu sessions": "sessions",
  latency: "latency",
  delay: "latency",
  "round trip time": "latency",
  rtt: "latency",
  throughput: "throughput",
  bandwidth: "throughput",
  "data rate": "throughput",
  speed: "throughput",
  availability: "availability",
  uptime: "availability",
  reliability: "availability",
  uplink: "uplink",
  ul: "uplink",
  downlink: "downlink",
  dl: "downlink",
  site: "site",
  sites: "site",
  "edge site": "site",
  "edge sites": "site",
  cluster: "site",
  clusters: "site",
  location: "site",
  locations: "site",
  threshold: "threshold",
  type: "type",
  "policy type": "type",
  "policy type id": "type",
  policytypeid: "type",
  sst: "sst",
  sd: "sd",
  region: "region",
  zone: "zone",
  version: "version",
  release: "version",
  parameter: "params",
  parameters: "params",
  param: "params",
  params: "params",
  setting: "params",
  settings: "params",
};

/** Unit words and number suffixes. Memory in MiB, throughput in Mbit/s. */
export const MEMORY_UNITS: Record<string, number> = {
  ki: 1 / 1024,
  kb: 1 / 1024,
  kib: 1 / 1024,
  mb: 1,
  mi: 1,
  mib: 1,
  megabytes: 1,
  gb: 1024,
  gi: 1024,
  gib: 1024,
  g: 1024,
  gig: 1024,
  gigs: 1024,
  gigabyte: 1024,
  gigabytes: 1024,
  tb: 1024 * 1024,
  ti: 1024 * 1024,
  tib: 1024 * 1024,
  terabytes: 1024 * 1024,
};
export const THROUGHPUT_UNITS: Record<string, number> = {
  kbps: 0.001,
  mbps: 1,
  "mbit/s": 1,
  mbit: 1,
  gbps: 1000,
  gbit: 1000,
  "gbit/s": 1000,
  tbps: 1_000_000,
};
export const CPU_SUFFIXES: readonly string[] = ["core", "cores", "cpu", "cpus", "vcpu", "vcpus"];
export const LATENCY_UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  seconds: 1000,
  us: 0.001,
  µs: 0.001,
};
export const PERCENT_UNITS: readonly string[] = ["%", "percent", "pct"];
export const MULTIPLIER_SUFFIXES: Record<string, number> = { k: 1000, m: 1_000_000, mn: 1_000_000, b: 1e9 };

/** Words that carry no meaning of their own here. */
export const FILLERS: ReadonlySet<string> = new Set(
  (
    "a an the please kindly can could would will you we i me us our my let's lets just also too now then quickly go ahead " +
    "basic simple small lightweight light-weight lean compact minimal tiny new fresh standard default dedicated instance-level for testing test tests lab demo trial poc " +
    "production prod staging dev development it its it's this that these those is are be should must shall there " +
    "function functions nf nfs vnf cnf network-function service services workload workloads component components " +
    "so thanks thank hey hi ok okay mode enabled one's same right away named called as well time " +
    "purposes purpose use usage case experiment experiments environment my our their which number " +
    "capacity policy policies rule rules load cell cells utilization utilisation congestion supporting support serving handling handle capable able"
  ).split(" "),
);

/** Words with a job in the grammar (prepositions, conjunctions …): kept as structure, never "unknown". */
export const STRUCTURE: ReadonlySet<string> = new Set(
  "to by with and or & , at on in from across into onto of for each per apiece both all every when where if than has have having x via using plus along up down out labelled labeled tagged matching whose".split(
    " ",
  ),
);

/** Words that stand for "some NF" without naming one. */
export const VAGUE_NF_WORDS: ReadonlySet<string> = new Set(
  "something anything everything stuff things thing it them all nothing whatever network functions nfs workloads services".split(
    " ",
  ),
);

export const QUESTION_OPENERS: ReadonlySet<string> = new Set(
  "what what's whats which how why who where is are does do explain describe tell show list".split(" "),
);

export const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  single: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  dozen: 12,
};
export const SCALE_WORDS: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };
/** Phrases that are numbers: "a couple of" → 2. */
export const NUMBER_PHRASES: Record<string, number> = {
  "a couple of": 2,
  "a couple": 2,
  "couple of": 2,
  "a pair of": 2,
  "pair of": 2,
  "a dozen": 12,
  "half a dozen": 6,
  "a hundred": 100,
  "a thousand": 1000,
  "a million": 1_000_000,
  "five nines": 99.999,
  "four nines": 99.99,
  "three nines": 99.9,
  "six nines": 99.9999,
};
