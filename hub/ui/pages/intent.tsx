/** One intent: its plan, where its sites stand, revisions, rollout controls, fulfilment; delete. */
import { useState } from "preact/hooks";
import type { Intent, Rollup, Session } from "../api";
import { api, canWrite } from "../api";
import { useData } from "../data";
import { Confirmed, Filter, Problem, RollupBar, Section } from "../parts";
import { go } from "../route";

interface Rollout {
  state: string;
  stage: number;
  stages: { name?: string; sites: number }[];
}

export function IntentPage({ id, session }: { id: string; session: Session }) {
  const path = `/v1/intents/${encodeURIComponent(id)}`;
  const { data, error, reload } = useData(() => api<Intent & { rollup?: Rollup }>("GET", path), [id]);
  const revisions = useData(
    () =>
      api<{ items: { revision: number; updatedAt: string; createdBy: string }[] }>(
        "GET",
        `${path}/revisions`,
      ),
    [id],
  );
  const rollout = useData(() => api<Rollout>("GET", `${path}/rollout`).catch(() => undefined), [id]);
  const [filter, setFilter] = useState("");
  const [failed, setFailed] = useState<string | undefined>();
  const act = (p: Promise<unknown>, then?: () => void) =>
    p.then(
      () => {
        setFailed(undefined);
        reload();
        rollout.reload();
        revisions.reload();
        then?.();
      },
      (e: unknown) => setFailed(e instanceof Error ? e.message : String(e)),
    );
  const rollup = data?.rollup;
  const writer = canWrite(session);
  return (
    <main>
      <h1>{data?.name ?? id}</h1>
      <Problem error={error ?? failed} />
      {data && (
        <>
          {data.text && <p class="said">“{data.text}”</p>}
          <dl class="facts">
            <dt>State</dt>
            <dd>{data.state}</dd>
            <dt>Revision</dt>
            <dd>{data.revision}</dd>
            <dt>Sites</dt>
            <dd>
              <RollupBar rollup={rollup} />
            </dd>
            {rollup?.fulfilment && (
              <>
                <dt>Fulfilment</dt>
                <dd>
                  {Object.entries(rollup.fulfilment.counts)
                    .filter(([, n]) => n)
                    .map(([s, n]) => `${n} ${s}`)
                    .join(" · ") || "—"}
                </dd>
              </>
            )}
            <dt>Created</dt>
            <dd>
              {new Date(data.createdAt).toLocaleString()} by {data.createdBy}
            </dd>
          </dl>
          {writer && (
            <div class="actions">
              {rollout.data && ["Progressing", "Paused"].includes(rollout.data.state) && (
                <>
                  {rollout.data.state === "Progressing" ? (
                    <button type="button" onClick={() => void act(api("POST", `${path}/rollout/pause`, {}))}>
                      Pause rollout
                    </button>
                  ) : (
                    <button type="button" onClick={() => void act(api("POST", `${path}/rollout/resume`, {}))}>
                      Resume rollout
                    </button>
                  )}
                  <Confirmed
                    label="Abort rollout"
                    question="Abort the rollout? Sites already on the new revision go back to the last one."
                    onConfirm={() => void act(api("POST", `${path}/rollout/abort`, {}))}
                  />
                </>
              )}
              {data.state !== "deleting" && (
                <Confirmed
                  danger
                  label="Delete intent"
                  question={`Delete ${data.name}? Every site removes what it runs for it.`}
                  onConfirm={() => void act(api("DELETE", path), () => go("intents"))}
                />
              )}
            </div>
          )}
          {rollout.data && (
            <p>
              Rollout: {rollout.data.state}, stage {rollout.data.stage + 1} of {rollout.data.stages.length}
            </p>
          )}
          <Section title="Sites not ready">
            <Filter value={filter} onInput={setFilter} />
            {rollup && rollup.notReady.length === 0 ? (
              <p class="muted">Every targeted site is ready.</p>
            ) : (
              <ul>
                {rollup?.notReady
                  .filter((s) =>
                    `${s.siteId} ${s.phase} ${s.message ?? ""}`.toLowerCase().includes(filter.toLowerCase()),
                  )
                  .map((s) => (
                    <li key={s.siteId}>
                      <a href={`#/sites/${encodeURIComponent(s.siteId)}`}>{s.siteId}</a>{" "}
                      <span class={s.phase}>{s.phase}</span> {s.message}
                    </li>
                  ))}
              </ul>
            )}
          </Section>
          <Section title="Plan">
            <pre class="plan">{JSON.stringify(data.plan, null, 2)}</pre>
          </Section>
          <p>
            <a href={`#/audit?q=${encodeURIComponent(id)}`}>What was done to this intent (audit)</a>
          </p>
          <Section title="Revisions">
            <ul class="revisions">
              {(revisions.data?.items ?? []).map((r) => (
                <li key={r.revision}>
                  Revision {r.revision}, {new Date(r.updatedAt).toLocaleString()}
                  {r.revision === data.revision ? (
                    " (current)"
                  ) : writer && data.state === "active" ? (
                    <>
                      {" "}
                      <Confirmed
                        label={`Roll back to ${r.revision}`}
                        question={`Make revision ${r.revision} the intent's again, at every site at once?`}
                        onConfirm={() =>
                          void act(api("POST", `${path}/rollback`, { toRevision: r.revision }))
                        }
                      />
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </Section>
        </>
      )}
    </main>
  );
}
