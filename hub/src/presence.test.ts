import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { hashToken } from "./auth/tokens";
import type { HubEvent } from "./events";
import { EventBus } from "./events";
import { PresenceWatch } from "./presence";
import type { HubStore } from "./store";
import { openSqliteStore } from "./store";

const opened: HubStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

describe("the presence watch", () => {
  it("publishes each site whose presence moved since the last look: fallen silent, said goodbye, back", async () => {
    let now = new Date("2026-12-01T10:00:00.000Z");
    const store = openSqliteStore(
      join(mkdtempSync(join(tmpdir(), "nephoran-presence-")), "hub.db"),
      () => now,
    );
    opened.push(store);
    for (const site of ["edge-a", "edge-b", "edge-c"]) {
      await store.enrollment.issue({
        id: `e-${site}`,
        hash: hashToken(site),
        site,
        labels: {},
        expiresAt: "2999-01-01T00:00:00Z",
        createdBy: "test",
      });
      await store.enrollment.enroll(hashToken(site), now.toISOString(), hashToken(`c-${site}`), "0.1.0");
    }
    const events = new EventBus();
    const seen: HubEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const watch = new PresenceWatch(
      {
        store,
        clock: { now: () => now, sleep: async () => undefined },
        logger: pino({ level: "silent" }),
        events,
        presenceTimeoutMs: 90_000,
      },
      { intervalMs: 30_000 },
    );
    const moved = () => seen.splice(0).map((e) => e.type === "site.presence" && [e.id, e.presence]);
    const heard = (sites: string[]) =>
      store.reports.record({
        seen: sites.map((site) => ({ site, at: now.toISOString() })),
        acks: [],
        reports: [],
      });

    await heard(["edge-a", "edge-b", "edge-c"]);
    await watch.look(); // the first look only learns
    expect(moved()).toEqual([]);
    now = new Date(now.getTime() + 60_000);
    await heard(["edge-a", "edge-b"]);
    await store.reports.record({
      seen: [],
      gone: [{ site: "edge-b", at: now.toISOString() }],
      acks: [],
      reports: [],
    });
    now = new Date(now.getTime() + 31_000); // edge-c last heard 91 s ago
    await watch.look();
    expect(moved()).toEqual([
      ["edge-b", "offline"],
      ["edge-c", "offline"],
    ]);
    await watch.look();
    expect(moved()).toEqual([]);
    await heard(["edge-b", "edge-c"]);
    await watch.look();
    expect(moved()).toEqual([
      ["edge-b", "online"],
      ["edge-c", "online"],
    ]);
  });
});
