/** One site: labels (editable by operators), presence, versions and lag, its intents; resync, decommission. */
import { useState } from "preact/hooks";
import type { Session, SiteDetail } from "../api";
import { api, canWrite } from "../api";
import { useData } from "../data";
import { ago, Confirmed, Labels, Problem, Section } from "../parts";
import { go } from "../route";

const parseLabels = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(/[\n,]/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const at = l.indexOf("=");
        return at < 0 ? [l, ""] : [l.slice(0, at).trim(), l.slice(at + 1).trim()];
      }),
  );

export function SitePage({ id, session }: { id: string; session: Session }) {
  const { data, error, reload } = useData(
    () => api<SiteDetail>("GET", `/v1/sites/${encodeURIComponent(id)}`),
    [id],
  );
  const [editing, setEditing] = useState<string | undefined>();
  const [said, setSaid] = useState<string | undefined>();
  const [failed, setFailed] = useState<string | undefined>();
  const act = (p: Promise<unknown>, done: string, then?: () => void) =>
    p.then(
      () => {
        setSaid(done);
        setFailed(undefined);
        reload();
        then?.();
      },
      (e: unknown) => setFailed(e instanceof Error ? e.message : String(e)),
    );
  const path = `/v1/sites/${encodeURIComponent(id)}`;
  return (
    <main>
      <h1>Site {id}</h1>
      <Problem error={error ?? failed} />
      {said && <p role="status">{said}</p>}
      {data && (
        <>
          <dl class="facts">
            <dt>Presence</dt>
            <dd class={data.presence}>{data.presence}</dd>
            <dt>Last seen</dt>
            <dd>{ago(data.lastSeen)}</dd>
            <dt>Version reported / desired</dt>
            <dd>
              {data.reportedVersion} / {data.desiredVersion}
            </dd>
            <dt>Sync lag</dt>
            <dd>
              {data.syncLag.versions} versions
              {data.syncLag.seconds !== null ? `, ${Math.round(data.syncLag.seconds)} s` : ""}
            </dd>
            <dt>Agent</dt>
            <dd>{data.agentVersion ?? "unknown"}</dd>
            <dt>Labels</dt>
            <dd>
              {editing === undefined ? (
                <>
                  <Labels labels={data.labels} />{" "}
                  {canWrite(session) && (
                    <button
                      type="button"
                      onClick={() =>
                        setEditing(
                          Object.entries(data.labels)
                            .map(([k, v]) => `${k}=${v}`)
                            .join("\n"),
                        )
                      }
                    >
                      Edit labels
                    </button>
                  )}
                </>
              ) : (
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(api("PATCH", path, { labels: parseLabels(editing) }), "Labels saved.", () =>
                      setEditing(undefined),
                    );
                  }}
                >
                  <label for="labels">One key=value a line</label>
                  <textarea
                    id="labels"
                    rows={4}
                    value={editing}
                    onInput={(e) => setEditing((e.target as HTMLTextAreaElement).value)}
                  />
                  <button type="submit">Save labels</button>
                  <button type="button" onClick={() => setEditing(undefined)}>
                    Cancel
                  </button>
                </form>
              )}
            </dd>
          </dl>
          {canWrite(session) && (
            <div class="actions">
              <button
                type="button"
                onClick={() => void act(api("POST", `${path}/resync`, {}), "Resync asked for.")}
              >
                Resync
              </button>
              <Confirmed
                danger
                label="Decommission"
                question={`Decommission ${id}? Its credential stops working and it leaves every intent.`}
                onConfirm={() => void act(api("DELETE", path), "Decommissioned.", () => go("sites"))}
              />
            </div>
          )}
          <Section title="Intents">
            {data.intents.length === 0 ? (
              <p class="muted">No intent targets this site.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Intent</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Revision (reported)</th>
                    <th scope="col">Expectations</th>
                  </tr>
                </thead>
                <tbody>
                  {data.intents.map((i) => (
                    <tr key={i.intentId}>
                      <td>
                        <a href={`#/intents/${encodeURIComponent(i.intentId)}`}>{i.intentId}</a>
                      </td>
                      <td class={i.phase}>{i.phase}</td>
                      <td>
                        {i.revision} ({i.reportedRevision ?? "none"})
                      </td>
                      <td>{(i.expectations ?? []).map((x) => `${x.target} ${x.state}`).join(", ") || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {data.localIntents.length > 0 && (
              <p class="muted">
                Added at the site: {data.localIntents.map((i) => `${i.intentId} (${i.phase})`).join(", ")}
              </p>
            )}
          </Section>
        </>
      )}
    </main>
  );
}
