/**
 * The store's upkeep, on the leading replica (or the only hub): every few seconds, the rollup tally's
 * entries folded, so a rollup reads a few rows per intent however busy the fleet has been.
 */
import type { HubDeps } from "./deps";
import { Periodic } from "./periodic";
import type { Leadership } from "./store";

export function storeUpkeep(
  deps: Pick<HubDeps, "store" | "clock" | "logger">,
  opts: { readonly intervalMs: number; readonly leadership?: Leadership },
): Periodic {
  return new Periodic(
    deps.clock,
    opts.intervalMs,
    async () => {
      if (opts.leadership && !(await opts.leadership.lead())) return;
      await deps.store.reports.fold();
    },
    (e) => deps.logger.warn({ err: String(e) }, "upkeep: the store's upkeep failed"),
  );
}
