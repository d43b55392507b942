/** Actions under construction, before defaults and guardrails. */
import type { ActionKind, Capacity, Params } from "../../domain";
import { PlanningError, PlanningErrorCode } from "../errors";

export interface Relative {
  readonly delta?: number;
  readonly factor?: number;
  readonly dir?: "up" | "down";
}

export interface Draft {
  kind: ActionKind | "stop";
  nf: string;
  replicas?: number;
  relative?: Relative;
  cpuMillis?: number;
  memoryMi?: number;
  capacity: Capacity;
  params: Params;
}

export const newDraft = (kind: Draft["kind"], nf: string): Draft => ({ kind, nf, capacity: {}, params: {} });

export function setReplicas(d: Draft, n: number): void {
  if (!Number.isInteger(n)) {
    throw new PlanningError(
      PlanningErrorCode.InvalidValue,
      `a replica count must be a whole number, got ${n}`,
    );
  }
  if (d.replicas !== undefined && d.replicas !== n) {
    throw new PlanningError(
      PlanningErrorCode.Conflict,
      `${d.nf} is given two replica counts: ${d.replicas} and ${n}`,
    );
  }
  d.replicas = n;
}

export function setRelative(d: Draft, r: Relative): void {
  if (r.delta !== undefined && !Number.isInteger(r.delta)) {
    throw new PlanningError(
      PlanningErrorCode.InvalidValue,
      `a change in replicas must be a whole number, got ${r.delta}`,
    );
  }
  d.relative = r;
}

/** A modifier found in the text, applied to the NFs it belongs to. */
export type Modifier = (d: Draft) => void;
