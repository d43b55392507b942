/** Converting Kubernetes quantities to numbers, for comparisons against catalog limits. */

/** CPU in millicores: "500m" → 500, "2" → 2000, "1.5" → 1500. */
export function cpuMillis(q: string): number {
  if (q.endsWith("m")) return Number(q.slice(0, -1));
  return Math.round(Number(q) * 1000);
}

const MEMORY_FACTORS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** Memory in MiB: "512Mi" → 512, "8Gi" → 8192. NaN when the suffix is unknown. */
export function memoryMi(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)$/.exec(q);
  if (!m) return Number.NaN;
  return Number(m[1]) * (MEMORY_FACTORS[m[2] as string] ?? Number.NaN);
}

/** Millicores back to a quantity: 1500 → "1500m", 2000 → "2". */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** MiB back to a quantity: 8192 → "8Gi", 1536 → "1536Mi". */
export function formatMemory(mi: number): string {
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${Math.ceil(mi)}Mi`;
}
