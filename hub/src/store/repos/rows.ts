/** Rows as both engines return them, their records, and the opaque cursors pages are read with. */
import type { Intent, Labels } from "@nephoran/shared";
import type { Page, SiteRecord } from "../types";
import { HubStoreError, StoreErrorCode } from "../types";

export interface IntentRow {
  seq: number;
  id: string;
  name: string;
  text: string | null;
  description: string | null;
  expression: string | null;
  plan: string;
  site_selector: string;
  revision: number;
  priority: string;
  rollout: string | null;
  state: string;
  created_at: string;
  updated_at: string;
  created_by: string;
}

export interface SiteRow {
  seq: number;
  id: string;
  labels: string;
  enrolled_at: string;
  last_seen: string | null;
  gone_at: string | null;
  agent_version: string | null;
  desired_version: number;
  reported_version: number;
  resync_requested_at: string | null;
  credential_hash: string;
}

export const SITE_COLUMNS =
  "seq, id, labels, enrolled_at, last_seen, gone_at, agent_version, desired_version, reported_version, resync_requested_at, credential_hash";

// Rows were validated when written; reading trusts them (no re-parse on the hot path).
export const toIntent = (r: IntentRow): Intent =>
  ({
    id: r.id,
    name: r.name,
    ...(r.text !== null ? { text: r.text } : {}),
    ...(r.description !== null ? { description: r.description } : {}),
    ...(r.expression !== null ? { expression: JSON.parse(r.expression) } : {}),
    plan: JSON.parse(r.plan),
    siteSelector: JSON.parse(r.site_selector),
    revision: r.revision,
    priority: r.priority,
    ...(r.rollout !== null ? { rollout: JSON.parse(r.rollout) } : {}),
    state: r.state,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
  }) as Intent;

export const toSite = (r: SiteRow): SiteRecord => ({
  id: r.id,
  labels: JSON.parse(r.labels) as Labels,
  enrolledAt: r.enrolled_at,
  lastSeen: r.last_seen,
  goneAt: r.gone_at,
  agentVersion: r.agent_version,
  desiredVersion: r.desired_version,
  reportedVersion: r.reported_version,
  resyncRequestedAt: r.resync_requested_at,
  credentialId: r.credential_hash.slice(0, 16),
});

/** Cursors are opaque to clients: the base64 of the last row's sequence number. */
export const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString("base64url");

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^s:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m)
    throw new HubStoreError(
      StoreErrorCode.Invalid,
      "invalid cursor: use the nextCursor of the previous page",
    );
  return Number(m[1]);
}

/** A page from `limit + 1` rows in sequence order: the extra row says whether there is a next page. */
export function pageOf<R extends { seq: number }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null,
  };
}
