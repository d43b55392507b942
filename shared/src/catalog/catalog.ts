import type { Capacity, ExpectationTarget, Resources } from "../domain";
import { cpuMillis, formatCpu, formatMemory, memoryMi } from "../domain";
import { CORE_NFS } from "./entries/core";
import { AVAILABILITY } from "./entries/kpis";
import { RAN_NFS } from "./entries/ran";
import { RIC_NFS } from "./entries/ric";
import { SIM_NFS } from "./entries/sim";
import type { Kpi, NfSpec, NfSpecInput, SizingRule } from "./types";
import { NfSpec as NfSpecSchema } from "./types";

export const BUILTIN_NFS: readonly NfSpecInput[] = [...CORE_NFS, ...RAN_NFS, ...RIC_NFS, ...SIM_NFS];

export class CatalogError extends Error {
  override readonly name = "CatalogError";
}

/** The NF catalog: validated once on construction, read-only afterwards. */
export class Catalog {
  readonly #byId: ReadonlyMap<string, NfSpec>;

  constructor(entries: readonly NfSpecInput[] = BUILTIN_NFS) {
    const byId = new Map<string, NfSpec>();
    const aliasOwner = new Map<string, string>();
    for (const raw of entries) {
      const parsed = NfSpecSchema.safeParse(raw);
      if (!parsed.success) {
        throw new CatalogError(`catalog entry ${String(raw.id)} is invalid: ${parsed.error.message}`);
      }
      const spec = parsed.data;
      if (byId.has(spec.id)) throw new CatalogError(`catalog entry ${spec.id} is defined twice`);
      for (const alias of spec.aliases) {
        const owner = aliasOwner.get(alias);
        if (owner) throw new CatalogError(`alias "${alias}" names both ${owner} and ${spec.id}`);
        aliasOwner.set(alias, spec.id);
      }
      if (cpuMillis(spec.resources.default.cpu) > cpuMillis(spec.resources.max.cpu)) {
        throw new CatalogError(`${spec.id}: default CPU is above its maximum`);
      }
      if (memoryMi(spec.resources.default.memory) > memoryMi(spec.resources.max.memory)) {
        throw new CatalogError(`${spec.id}: default memory is above its maximum`);
      }
      byId.set(spec.id, spec);
    }
    for (const spec of byId.values()) {
      for (const dep of spec.dependencies) {
        if (!byId.has(dep))
          throw new CatalogError(`${spec.id} depends on ${dep}, which is not in the catalog`);
      }
    }
    this.#byId = byId;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  get(id: string): NfSpec | undefined {
    return this.#byId.get(id);
  }

  /** How `target` is measured on NF `id`, if the catalog knows. */
  kpi(id: string, target: ExpectationTarget): Kpi | undefined {
    const spec = this.#byId.get(id);
    if (!spec) return undefined;
    return spec.kpis[target] ?? (target === "availability" ? AVAILABILITY : undefined);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }

  list(): NfSpec[] {
    return [...this.#byId.values()];
  }
}

function capacityMetric(capacity: Capacity, rule: SizingRule): number | undefined {
  switch (rule.metric) {
    case "throughputMbps": {
      const t = Math.max(capacity.maxUplinkThroughput ?? 0, capacity.maxDownlinkThroughput ?? 0);
      return t > 0 ? t : undefined;
    }
    case "sessions":
      return capacity.maxSessions;
    case "subscribers":
      return capacity.maxSubscribers;
  }
}

/**
 * Per-replica resources that carry `capacity` split over `replicas`: the NF's default, raised by its
 * sizing rules (whichever metric needs most), CPU rounded up to 100m. Not capped: a result above the
 * NF's maximum is for the guardrails to refuse.
 */
export function resourcesForCapacity(spec: NfSpec, capacity: Capacity, replicas = 1): Resources {
  let cpu = cpuMillis(spec.resources.default.cpu);
  let mem = memoryMi(spec.resources.default.memory);
  const n = Math.max(1, replicas);
  for (const rule of spec.sizing) {
    const value = capacityMetric(capacity, rule);
    if (value === undefined) continue;
    const cores = value / rule.perCore / n;
    cpu = Math.max(cpu, Math.ceil((cores * 1000) / 100) * 100);
    mem = Math.max(mem, Math.ceil((cores * rule.memoryMiPerCore) / 256) * 256);
  }
  return { cpu: formatCpu(cpu), memory: formatMemory(mem) };
}
