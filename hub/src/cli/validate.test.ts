import { describe, expect, it } from "vitest";
import type { SiteFacts } from "./validate";
import { judgeSite, table } from "./validate";

const site = (over: Partial<SiteFacts>): SiteFacts => ({
  id: "edge01",
  presence: "online",
  lastSeen: "2026-11-30T12:00:00.000Z",
  syncLag: { versions: 0, seconds: 0 },
  intents: [
    { intentId: "int-a", phase: "Ready" },
    { intentId: "int-b", phase: "Applied" },
  ],
  ...over,
});

describe("validating a site", () => {
  it("passes a site heard from, in step, with every intent converged", () => {
    expect(judgeSite(site({}), 60)).toEqual({
      site: "edge01",
      ok: true,
      problems: [],
      converged: 2,
      intents: 2,
    });
    // Behind, but not for longer than allowed: a change on its way.
    expect(judgeSite(site({ syncLag: { versions: 1, seconds: 5 } }), 60).ok).toBe(true);
  });

  it("fails a site offline, behind for too long, or with intents not converged, and says why", () => {
    const v = judgeSite(
      site({
        presence: "offline",
        lastSeen: null,
        syncLag: { versions: 3, seconds: 600 },
        intents: ["Failed", "Pending", "Degraded", "Applying", "Ready"].map((phase, k) => ({
          intentId: `int-${k}`,
          phase,
        })),
      }),
      60,
    );
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      "offline (last seen never)",
      "behind by 3 versions for 600 s",
      "int-0 Failed",
      "int-1 Pending",
      "int-2 Degraded",
      "and 1 more intents not converged",
    ]);
    expect(v).toMatchObject({ converged: 1, intents: 5 });
  });

  it("prints one aligned line a site", () => {
    const ok = site({});
    const bad = site({ id: "edge-far-away", presence: "offline" });
    const out = table([judgeSite(ok, 60), judgeSite(bad, 60)], new Map([ok, bad].map((s) => [s.id, s])));
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SITE\s+PRESENCE\s+LAST SEEN\s+BEHIND\s+CONVERGED\s+RESULT$/);
    expect(lines[1]).toMatch(/^edge01\s+online\s+.*\s+0\s+2\/2\s+PASS$/);
    expect(lines[2]).toMatch(
      /^edge-far-away\s+offline\s+.*FAIL: offline \(last seen 2026-11-30T12:00:00.000Z\)$/,
    );
    expect(lines[1]?.indexOf("online")).toBe(lines[2]?.indexOf("offline"));
  });
});
