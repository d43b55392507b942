/** The fleet: sites by presence, grouped by a label as a grid coloured by health, what needs attention first. */
import { useState } from "preact/hooks";
import type { SiteView } from "../api";
import { api } from "../api";
import { useData } from "../data";
import { PHASES, Problem, Section, SitesTable } from "../parts";

interface Count {
  total: number;
  online: number;
  offline: number;
}
interface Fleet {
  sites: Count;
  groupBy: string;
  groups: (Count & { value: string })[];
  attention: SiteView[];
  intents: { total: number; byState: Record<string, number>; byPhase: Record<string, number> };
}

const health = (c: Count) =>
  c.total === 0 ? "empty" : c.offline === 0 ? "good" : c.online === 0 ? "bad" : "mixed";

export function FleetPage() {
  const [groupBy, setGroupBy] = useState("region");
  const { data, error } = useData(
    () => api<Fleet>("GET", `/v1/fleet?groupBy=${encodeURIComponent(groupBy)}`),
    [groupBy],
  );
  return (
    <main>
      <h1>Fleet</h1>
      <Problem error={error} />
      {data && (
        <>
          <div class="tiles">
            <a class="tile" href="#/sites">
              <strong>{data.sites.total}</strong> sites
            </a>
            <a class="tile good" href="#/sites?presence=online">
              <strong>{data.sites.online}</strong> online
            </a>
            <a class={`tile ${data.sites.offline ? "bad" : ""}`} href="#/sites?presence=offline">
              <strong>{data.sites.offline}</strong> offline
            </a>
            <a class="tile" href="#/intents">
              <strong>{data.intents.total}</strong> intents
              {Object.entries(data.intents.byState).map(([s, n]) => (
                <span key={s} class="muted">
                  {" "}
                  · {n} {s}
                </span>
              ))}
            </a>
          </div>
          <Section title="Intents by phase">
            <ul class="phases">
              {PHASES.filter((p) => data.intents.byPhase[p]).map((p) => (
                <li key={p} class={p}>
                  <strong>{data.intents.byPhase[p]}</strong> {p}
                </li>
              ))}
              {Object.keys(data.intents.byPhase).length === 0 && (
                <li class="muted">No intent targets a site yet.</li>
              )}
            </ul>
          </Section>
          <Section title="Needs attention">
            {data.attention.length === 0 ? (
              <p class="muted">Every site is online and runs what it should.</p>
            ) : (
              <SitesTable sites={data.attention} />
            )}
          </Section>
          <Section title="Sites by label">
            <label for="group-by">Group by label </label>
            <input
              id="group-by"
              value={groupBy}
              onChange={(e) => setGroupBy((e.target as HTMLInputElement).value.trim() || "region")}
            />
            <ul class="grid">
              {data.groups.map((g) => (
                <li key={g.value} class={`cell ${health(g)}`}>
                  <a href={`#/sites?label=${encodeURIComponent(`${data.groupBy}=${g.value}`)}`}>
                    <strong>{g.value || `no ${data.groupBy}`}</strong>
                    <span>
                      {g.online}/{g.total} online
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </Section>
        </>
      )}
    </main>
  );
}
