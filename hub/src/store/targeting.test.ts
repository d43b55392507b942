/**
 * One answer to "which sites does this selector pick": the store's SQL targeting, what sync serves from,
 * agrees with the pure `selects` the rest of the product uses — on many random fleets and selectors.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { IntentPlan, SiteSelector } from "@nephoran/shared";
import { selects } from "@nephoran/shared";
import { openSqliteStore } from "./sqlite";

const plan: IntentPlan = {
  intentType: "nf.deploy",
  actions: [{ kind: "deploy", nf: "amf", replicas: 1 }],
  priority: "medium",
  source: "rules",
  confidence: 1,
};

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe("targeting", () => {
  it("the SQL selector and selects() pick the same sites", async () => {
    const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "nephoran-targeting-")), "hub.db"));
    const r = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const regions = ["eu", "us", "ap"];
    const tiers = ["gold", "silver"];
    for (let i = 0; i < 40; i++) {
      const labels: Record<string, string> = {};
      if (r() < 0.8) labels["region"] = pick(regions);
      if (r() < 0.5) labels["tier"] = pick(tiers);
      if (r() < 0.2) labels["odd key"] = 'va"lue';
      await store.enrollment.issue({
        id: `t${i}`,
        hash: `h${i}`,
        site: `s${i}`,
        labels,
        expiresAt: "2999-01-01T00:00:00Z",
        createdBy: "test",
      });
      await store.enrollment.enroll(`h${i}`, "2026-11-30T00:00:00Z", `c${i}`, null);
    }
    const sites = await store.sites.all();
    for (let k = 0; k < 200; k++) {
      const sel: SiteSelector = {};
      const shape = r();
      if (shape < 0.1) sel.all = true;
      if (r() < 0.5) sel.names = [pick(sites).id, ...(r() < 0.3 ? ["nowhere"] : [])];
      if (r() < 0.6) {
        sel.matchLabels = {};
        if (r() < 0.7) sel.matchLabels["region"] = pick(regions);
        if (r() < 0.4) sel.matchLabels["tier"] = pick(tiers);
        if (r() < 0.1) sel.matchLabels["odd key"] = 'va"lue';
      }
      const id = `int-${k}`;
      await store.intents.create({
        id,
        name: id,
        plan,
        siteSelector: sel,
        priority: "medium",
        createdBy: "test",
      });
      await store.desired.retargetIntent(id, 1, sel);
      const bySql = (await store.reports.rollupRows(id)).map((row) => row.siteId);
      const bySelects = sites.filter((s) => selects(sel, s)).map((s) => s.id);
      expect(bySql, JSON.stringify(sel)).toEqual(bySelects);
    }
    await store.close();
  });
});
