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
  /** Came from a name that stands for several NFs ("5G core"), not from naming this NF. */
  bundled?: boolean;
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

const agree = <T>(a: T | undefined, b: T | undefined): boolean =>
  a === undefined || b === undefined || JSON.stringify(a) === JSON.stringify(b);

const agreeEach = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  Object.keys(a).every((k) => agree(a[k], b[k]));

/**
 * An NF that a bundle already holds, named again for the same action ("a 5G core and a UPF"), is one
 * action with what both say. An NF named twice by name ("AMF and AMF"), or drafts that disagree, stay
 * apart, for the guardrails to refuse by name.
 */
export function mergeRepeats(drafts: readonly Draft[]): Draft[] {
  const out: Draft[] = [];
  for (const d of drafts) {
    const same = out.find(
      (o) =>
        o.kind === d.kind &&
        o.nf === d.nf &&
        (o.bundled === true || d.bundled === true) &&
        agree(o.replicas, d.replicas) &&
        agree(o.relative, d.relative) &&
        agree(o.cpuMillis, d.cpuMillis) &&
        agree(o.memoryMi, d.memoryMi) &&
        agreeEach(o.capacity, d.capacity) &&
        agreeEach(o.params, d.params),
    );
    if (!same) {
      out.push(d);
      continue;
    }
    if (!d.bundled) delete same.bundled;
    if (d.replicas !== undefined) same.replicas = d.replicas;
    if (d.relative !== undefined) same.relative = d.relative;
    if (d.cpuMillis !== undefined) same.cpuMillis = d.cpuMillis;
    if (d.memoryMi !== undefined) same.memoryMi = d.memoryMi;
    Object.assign(same.capacity, d.capacity);
    Object.assign(same.params, d.params);
  }
  return out;
}

/** Resolves relative changes ("scale in by 2") against the current counts; refuses them without. */
export function assertNoRelativeWithout(
  drafts: readonly Draft[],
  current: Readonly<Record<string, number>> | undefined,
): void {
  for (const d of drafts) {
    if (!d.relative) continue;
    const now = current?.[d.nf];
    if (now === undefined) {
      throw new PlanningError(
        PlanningErrorCode.RelativeChange,
        `"${d.nf}" is to change relative to its current replica count, which is not known here; say the target count ("scale ${d.nf} to 3")`,
      );
    }
    const r = d.relative;
    const next =
      r.factor !== undefined
        ? Math.round(now * r.factor)
        : r.delta !== undefined
          ? now + r.delta
          : now + (r.dir === "down" ? -1 : 1);
    d.replicas = next;
    d.kind = d.kind === "deploy" ? "scale" : d.kind;
    delete d.relative;
  }
}
