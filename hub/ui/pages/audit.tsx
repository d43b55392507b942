/** Who changed what, when: the hub's audit trail, newest first, filterable. */
import { useState } from "preact/hooks";
import type { Page } from "../api";
import { api } from "../api";
import { useData } from "../data";
import { Filter, Pager, Problem, usePages } from "../parts";

interface Entry {
  seq?: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail?: Record<string, unknown>;
}

/** `filter`: what the page opens filtered by (an intent's page links here with its id). */
export function AuditPage({ filter: first = "" }: { filter?: string }) {
  const pages = usePages();
  const [filter, setFilter] = useState(first);
  const { cursor } = pages;
  const { data, error } = useData(
    () =>
      api<Page<Entry>>("GET", `/v1/audit?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    [cursor],
  );
  const shown = (data?.items ?? []).filter((e) =>
    `${e.actor} ${e.action} ${e.target}`.toLowerCase().includes(filter.toLowerCase()),
  );
  return (
    <main>
      <h1>Audit</h1>
      <Filter value={filter} onInput={setFilter} />
      <Problem error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">On</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e, k) => (
            <tr key={e.seq ?? k}>
              <td>{new Date(e.at).toLocaleString()}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.target}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pages={pages} nextCursor={data?.nextCursor} labels={["Newer", "Older"]} />
    </main>
  );
}
