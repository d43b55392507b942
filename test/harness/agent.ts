/** Builds agents for tests: each with its own data folder and site, on a given target. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { AgentConfigInput } from "@nephoran/agent";
import { Agent, AgentConfig } from "@nephoran/agent";
import { Catalog, RulesPlanner, defaultGuardrailPolicy } from "@nephoran/shared";
import type { IntentPlan } from "@nephoran/shared";

let n = 0;
/** A site name unique to this test process. */
export const uniqueSite = (prefix = "edge"): string => `${prefix}-${process.pid}-${++n}`;

export function makeAgent(config: Partial<AgentConfigInput> & Pick<AgentConfigInput, "target">): Agent {
  const site = config.site ?? uniqueSite();
  return new Agent(
    AgentConfig.parse({
      dataDir: mkdtempSync(join(tmpdir(), `nephoran-agent-${site}-`)),
      site,
      relistSeconds: 5,
      ...config,
    }),
    { logger: pino({ level: process.env["TEST_LOG"] ?? "silent" }) },
  );
}

const planner = new RulesPlanner({ catalog: new Catalog(), policy: defaultGuardrailPolicy() });

export function planOf(text: string): IntentPlan {
  const r = planner.planSync(text);
  if (!r.ok) throw new Error(`${text}: ${r.error.message}`);
  return r.value.plan;
}

/** Polls `fn` until it returns a truthy value or `ms` pass (a test's wait for a loop, not a sleep). */
export async function eventually<T>(
  fn: () => Promise<T> | T,
  ms = 20_000,
  every = 100,
): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`condition not met within ${ms} ms${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
