/** The hub's API as the console calls it: same origin, the session cookie, JSON both ways. */

export type Role = "viewer" | "operator" | "admin";
export type Phase = string;

export interface Session {
  readonly name: string;
  readonly role: Role;
  readonly expiresAt: string | null;
}

export interface SiteView {
  readonly id: string;
  readonly labels: Record<string, string>;
  readonly enrolledAt: string;
  readonly lastSeen: string | null;
  readonly presence: "online" | "offline";
  readonly agentVersion: string | null;
  readonly desiredVersion: number;
  readonly reportedVersion: number;
  readonly resyncRequestedAt: string | null;
  readonly syncLag: { readonly versions: number; readonly seconds: number | null };
}

export interface SiteDetail extends SiteView {
  readonly intents: readonly {
    intentId: string;
    revision: number;
    phase: Phase;
    reportedRevision: number | null;
    expectations?: readonly { target: string; state: string; measured?: number }[];
  }[];
  readonly localIntents: readonly { intentId: string; revision: number; phase: Phase; observedAt: string }[];
}

export interface Intent {
  readonly id: string;
  readonly name: string;
  readonly text?: string;
  readonly plan: unknown;
  readonly siteSelector: { names?: string[]; matchLabels?: Record<string, string>; all?: boolean };
  readonly revision: number;
  readonly priority: string;
  readonly state: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string;
  readonly rollout?: unknown;
}

export interface Rollup {
  readonly revision: number;
  readonly targetedSites: number;
  readonly counts: Record<string, number>;
  readonly settled: number;
  readonly worst: Phase | null;
  readonly notReady: readonly { siteId: string; phase: Phase; message?: string }[];
  readonly notReadyTruncated: boolean;
  readonly fulfilment?: { counts: Record<string, number> };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** A refusal from the hub, in its own words. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the hub says the session is over (401): the console goes back to sign-in. */
let onSignedOut: () => void = () => undefined;
export const whenSignedOut = (fn: () => void): void => {
  onSignedOut = fn;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const answer = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) {
    if (res.status === 401 && path !== "/v1/session") onSignedOut();
    const error = answer?.["error"] as Record<string, unknown> | undefined;
    const said = error?.["message"] ?? answer?.["message"] ?? answer?.["reason"];
    throw new ApiFailure(res.status, typeof said === "string" ? said : `the hub answered ${res.status}`);
  }
  return answer as T;
}

export const canWrite = (s: Session): boolean => s.role === "operator" || s.role === "admin";
