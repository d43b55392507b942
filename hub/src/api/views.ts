/** How sites are shown: the stored record plus presence and sync lag. */
import type { SiteRecord } from "../store";
import { presenceOf } from "../rollup";
import type { HubDeps } from "./env";

export function siteView(deps: HubDeps, s: SiteRecord) {
  const now = deps.clock.now();
  const lagVersions = Math.max(0, s.desiredVersion - s.reportedVersion);
  return {
    id: s.id,
    labels: s.labels,
    enrolledAt: s.enrolledAt,
    lastSeen: s.lastSeen,
    presence: presenceOf(s, now, deps.presenceTimeoutMs),
    agentVersion: s.agentVersion,
    desiredVersion: s.desiredVersion,
    reportedVersion: s.reportedVersion,
    resyncRequestedAt: s.resyncRequestedAt,
    syncLag: {
      versions: lagVersions,
      seconds:
        lagVersions > 0 && s.lastSeen
          ? Math.round((now.getTime() - Date.parse(s.lastSeen)) / 1000)
          : lagVersions > 0
            ? null
            : 0,
    },
  };
}
