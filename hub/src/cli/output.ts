/** How the hub's client commands answer: refusals as one line with the hub's code, JSON on request. */
import type { CliIo } from "@nephoran/shared";
import { EXIT } from "@nephoran/shared";
import { HubCallError } from "./client";

export type Json = Record<string, unknown>;

export async function guarded(io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e: unknown) {
    if (e instanceof HubCallError) {
      io.err(`nephoran: ${e.code}: ${e.message}\n`);
      return e.status >= 400 && e.status < 500 ? EXIT.refused : EXIT.failure;
    }
    throw e;
  }
}

export function show(io: CliIo, json: boolean, value: unknown, human: () => string): void {
  io.out(json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
