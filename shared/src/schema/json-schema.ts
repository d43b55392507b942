/** JSON Schemas generated from the zod schemas: one source of truth for both. */
import * as z from "zod";
import { NfSpec } from "../catalog";
import { Intent, IntentPlan, Site, SiteIntentReport } from "../domain";
import { GuardrailPolicy } from "../guardrails";

export const SCHEMAS = { IntentPlan, Intent, Site, SiteIntentReport, NfSpec, GuardrailPolicy } as const;
export type SchemaName = keyof typeof SCHEMAS;

export const isSchemaName = (name: string): name is SchemaName => Object.hasOwn(SCHEMAS, name);

export function jsonSchema(name: SchemaName): Record<string, unknown> {
  return {
    $id: `https://nephoran.io/schemas/${name}.json`,
    title: name,
    ...z.toJSONSchema(SCHEMAS[name], { io: "input" }),
  };
}

export function allJsonSchemas(): Record<SchemaName, Record<string, unknown>> {
  return Object.fromEntries(Object.keys(SCHEMAS).map((n) => [n, jsonSchema(n as SchemaName)])) as Record<
    SchemaName,
    Record<string, unknown>
  >;
}
