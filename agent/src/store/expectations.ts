/**
 * How each expectation of each intent stands at the site (`ExpectationStatus`), with the state it may be
 * moving to (hysteresis), kept so a restart does not forget an alarm or restart its count.
 */
import type { ExpectationStatus, Fulfilment } from "@nephoran/shared";
import type { Db } from "./database";

export interface TrackedExpectation {
  readonly status: ExpectationStatus;
  readonly pending?: { readonly state: Fulfilment; readonly count: number };
}

interface Row {
  intent_id: string;
  status: string;
  pending: string | null;
}

const toTracked = (r: Row): TrackedExpectation => ({
  status: JSON.parse(r.status) as ExpectationStatus,
  ...(r.pending ? { pending: JSON.parse(r.pending) as TrackedExpectation["pending"] } : {}),
});

export class ExpectationTable {
  constructor(private readonly d: Db) {}

  /** Every intent's, in one read. */
  all(): Map<string, TrackedExpectation[]> {
    const out = new Map<string, TrackedExpectation[]>();
    for (const r of this.d.stmt("SELECT * FROM expectations ORDER BY intent_id, idx").all() as Row[])
      out.set(r.intent_id, [...(out.get(r.intent_id) ?? []), toTracked(r)]);
    return out;
  }

  of(intentId: string): TrackedExpectation[] {
    return (
      this.d.stmt("SELECT * FROM expectations WHERE intent_id = ? ORDER BY idx").all(intentId) as Row[]
    ).map(toTracked);
  }

  /** Replaces the intent's expectations (`before`: as read, if the caller has them); whether a state changed. */
  put(
    intentId: string,
    revision: number,
    xs: readonly TrackedExpectation[],
    before: readonly TrackedExpectation[] = this.of(intentId),
  ): boolean {
    const changed =
      before.length !== xs.length ||
      xs.some((x, i) => {
        const b = before[i]?.status;
        return b?.state !== x.status.state || b.target !== x.status.target || b.value !== x.status.value;
      });
    const put = this.d.stmt(
      `INSERT INTO expectations (intent_id, idx, revision, status, pending) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (intent_id, idx) DO UPDATE SET revision = excluded.revision, status = excluded.status,
           pending = excluded.pending`,
    );
    xs.forEach((x, i) =>
      put.run(intentId, i, revision, JSON.stringify(x.status), x.pending ? JSON.stringify(x.pending) : null),
    );
    this.d.stmt("DELETE FROM expectations WHERE intent_id = ? AND idx >= ?").run(intentId, xs.length);
    return changed;
  }

  remove(intentId: string): void {
    this.d.stmt("DELETE FROM expectations WHERE intent_id = ?").run(intentId);
  }
}
