/** Intents, a page at a time, each with a bar of where its sites stand. */
import type { Intent, Page, Rollup } from "../api";
import { api } from "../api";
import { useData } from "../data";
import { Pager, Problem, RollupBar, usePages } from "../parts";

const PAGE = 25;

function Row({ intent }: { intent: Intent }) {
  const { data } = useData(
    () => api<{ rollup?: Rollup }>("GET", `/v1/intents/${encodeURIComponent(intent.id)}`),
    [intent.id, intent.revision],
  );
  return (
    <tr data-intent={intent.id}>
      <td>
        <a href={`#/intents/${encodeURIComponent(intent.id)}`}>{intent.name}</a>
        <div class="muted">{intent.text ?? intent.id}</div>
      </td>
      <td>{intent.state}</td>
      <td>{intent.revision}</td>
      <td>
        <RollupBar rollup={data?.rollup} />
      </td>
    </tr>
  );
}

export function IntentsPage() {
  const pages = usePages();
  const { cursor } = pages;
  const { data, error } = useData(
    () =>
      api<Page<Intent>>(
        "GET",
        `/v1/intents?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      ),
    [cursor],
  );
  return (
    <main>
      <h1>Intents</h1>
      <Problem error={error} />
      {data && (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Intent</th>
                <th scope="col">State</th>
                <th scope="col">Revision</th>
                <th scope="col">Sites</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <Row key={i.id} intent={i} />
              ))}
            </tbody>
          </table>
          {data.items.length === 0 && (
            <p class="muted">
              No intents yet. <a href="#/new">Say what you want</a>.
            </p>
          )}
          <Pager pages={pages} nextCursor={data.nextCursor} />
        </>
      )}
    </main>
  );
}
