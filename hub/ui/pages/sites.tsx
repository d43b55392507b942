/** Sites: filtered by label, presence and text at the hub, a page at a time (usable at 10,000 sites). */
import type { Page, SiteView } from "../api";
import { api } from "../api";
import { useData } from "../data";
import { Pager, Problem, SitesTable, usePages } from "../parts";
import type { Place } from "../route";
import { go } from "../route";

const PAGE = 50;

export function SitesPage({ place }: { place: Place }) {
  const label = place.query.get("label") ?? "";
  const presence = place.query.get("presence") ?? "";
  const q = place.query.get("q") ?? "";
  const pages = usePages();
  const { cursor } = pages;
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (label) query.set("label", label);
  if (presence) query.set("presence", presence);
  if (q) query.set("q", q);
  if (cursor) query.set("cursor", cursor);
  const { data, error } = useData(
    () => api<Page<SiteView>>("GET", `/v1/sites?${query.toString()}`),
    [query.toString()],
  );
  const filter = (next: Record<string, string>) => {
    pages.reset();
    go("sites", { label, presence, q, ...next });
  };
  return (
    <main>
      <h1>Sites</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Text{" "}
          <input
            type="search"
            value={q}
            onInput={(e) => filter({ q: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label>
          Label{" "}
          <input
            value={label}
            placeholder="region=eu-west"
            onChange={(e) => filter({ label: (e.target as HTMLInputElement).value.trim() })}
          />
        </label>
        <label>
          Presence{" "}
          <select
            value={presence}
            onChange={(e) => filter({ presence: (e.target as HTMLSelectElement).value })}
          >
            <option value="">any</option>
            <option value="online">online</option>
            <option value="offline">offline</option>
          </select>
        </label>
      </form>
      <Problem error={error} />
      {data && (
        <>
          <SitesTable sites={data.items} />
          {data.items.length === 0 && <p class="muted">No site matches.</p>}
          <Pager pages={pages} nextCursor={data.nextCursor} />
        </>
      )}
    </main>
  );
}
