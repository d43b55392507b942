import * as z from "zod";
import { DEFAULT_NAMESPACE_ALLOWLIST } from "./rules";

/** Site-specific guardrail settings; the defaults are safe for a fresh install. */
export const GuardrailPolicy = z.strictObject({
  /** Allowed namespaces; an entry ending in "*" allows a prefix. */
  namespaces: z
    .array(z.string().min(1))
    .min(1)
    .default([...DEFAULT_NAMESPACE_ALLOWLIST]),
  maxTextLength: z.number().int().min(16).max(100_000).default(2000),
});
export type GuardrailPolicy = z.infer<typeof GuardrailPolicy>;

export const defaultGuardrailPolicy = (): GuardrailPolicy => GuardrailPolicy.parse({});

export function namespaceAllowed(ns: string, allowlist: readonly string[]): boolean {
  return allowlist.some((entry) => (entry.endsWith("*") ? ns.startsWith(entry.slice(0, -1)) : ns === entry));
}
