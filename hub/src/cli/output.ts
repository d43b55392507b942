/** How the hub's client commands answer: JSON on request (refusals are one line: `guarded`). */
import type { CliIo } from "@nephoran/shared";
export { guarded } from "@nephoran/shared";

export type Json = Record<string, unknown>;

export function show(io: CliIo, json: boolean, value: unknown, human: () => string): void {
  io.out(json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
