/** Small pieces the pages share. Every string from the hub is rendered as text (Preact escapes it). */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Rollup, SiteView } from "./api";

/** The phases a site reports, best first (the hub's rollup orders them worst first). */
export const PHASES = [
  "Ready",
  "Applied",
  "Applying",
  "Planned",
  "Pending",
  "Degraded",
  "Failed",
  "Offline",
] as const;

export function RollupBar({ rollup }: { rollup: Rollup | undefined }) {
  if (!rollup) return <span class="muted">…</span>;
  const total = Math.max(1, rollup.targetedSites);
  const label = PHASES.filter((p) => rollup.counts[p]).map((p) => `${rollup.counts[p]} ${p}`);
  return (
    <span
      class="bar"
      role="img"
      aria-label={`${rollup.targetedSites} sites: ${label.join(", ") || "none yet"}`}
    >
      {PHASES.map((p) =>
        rollup.counts[p] ? (
          <span key={p} class={`seg ${p}`} style={{ width: `${((rollup.counts[p] ?? 0) / total) * 100}%` }} />
        ) : null,
      )}
      <span class="bar-text">{label.join(" · ") || `${rollup.targetedSites} sites`}</span>
    </span>
  );
}

export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (!entries.length) return <span class="muted">none</span>;
  return (
    <span class="labels">
      {entries.map(([k, v]) => (
        <span key={k} class="label">
          {k}={v}
        </span>
      ))}
    </span>
  );
}

export const ago = (iso: string | null): string => {
  if (!iso) return "never";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleString();
};

export function Problem({ error }: { error: string | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A button that asks first, in words, before it does something that cannot be undone. */
export function Confirmed(props: {
  label: string;
  question: string;
  onConfirm: () => void;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      class={props.danger ? "danger" : ""}
      onClick={() => {
        if (window.confirm(props.question)) props.onConfirm();
      }}
    >
      {props.label}
    </button>
  );
}

/** Paging through a list the hub answers a page at a time: the cursor of the page shown, and the way back. */
export function usePages() {
  const [cursors, setCursors] = useState<string[]>([]);
  return {
    cursor: cursors.at(-1),
    first: cursors.length === 0,
    next: (c: string) => setCursors([...cursors, c]),
    back: () => setCursors(cursors.slice(0, -1)),
    reset: () => setCursors([]),
  };
}

export function Pager(props: {
  pages: ReturnType<typeof usePages>;
  nextCursor: string | null | undefined;
  labels?: readonly [string, string];
}) {
  const { pages, nextCursor } = props;
  const [back, on] = props.labels ?? ["Previous", "Next"];
  return (
    <nav class="pager" aria-label="pages">
      <button type="button" disabled={pages.first} onClick={pages.back}>
        {back}
      </button>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
        {on}
      </button>
    </nav>
  );
}

/** A text box that narrows what a page shows. */
export function Filter({ value, onInput }: { value: string; onInput: (v: string) => void }) {
  return (
    <label>
      Filter{" "}
      <input type="search" value={value} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
    </label>
  );
}

/** Sites as a table: name, presence, when last heard, what they run against what they should, labels. */
export function SitesTable({ sites }: { sites: readonly SiteView[] }) {
  return (
    <table class="sites">
      <thead>
        <tr>
          <th scope="col">Site</th>
          <th scope="col">Presence</th>
          <th scope="col">Last seen</th>
          <th scope="col">Version (reported / desired)</th>
          <th scope="col">Labels</th>
        </tr>
      </thead>
      <tbody>
        {sites.map((s) => (
          <tr key={s.id} data-site={s.id}>
            <td>
              <a href={`#/sites/${encodeURIComponent(s.id)}`}>{s.id}</a>
            </td>
            <td class={s.presence}>{s.presence}</td>
            <td>{ago(s.lastSeen)}</td>
            <td>
              {s.reportedVersion} / {s.desiredVersion}
              {s.syncLag.versions > 0 ? ` (${s.syncLag.versions} behind)` : ""}
            </td>
            <td>
              <Labels labels={s.labels} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
