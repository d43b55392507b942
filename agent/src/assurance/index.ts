export type { AssuranceOptions, AssurancePass } from "./loop";
export { Assurance, DEFAULT_ASSURANCE } from "./loop";
export type { MetricsSource } from "./prometheus";
export { MetricsError, PrometheusSource } from "./prometheus";
export type { Tracked } from "./hysteresis";
export { observe } from "./hysteresis";
export type { Remedy } from "./remedy";
export { CAPACITY, askedReplicas, remedyFor, withRemedies } from "./remedy";
