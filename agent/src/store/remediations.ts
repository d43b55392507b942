/** What the closed loop did to each setting of each NF of each intent, at the intent's revision it acted on. */
import type { Remediation } from "@nephoran/shared";
import type { Db } from "./database";

export interface StoredRemediation extends Remediation {
  readonly intentId: string;
  readonly revision: number;
}

interface Row {
  intent_id: string;
  nf: string;
  setting: "replicas" | "threshold";
  revision: number;
  value: number;
  asked: number;
  reason: string;
  at: string;
  actions: number;
}

const toRemediation = (r: Row): StoredRemediation => ({
  intentId: r.intent_id,
  nf: r.nf,
  revision: r.revision,
  ...(r.setting === "threshold" ? { threshold: r.value } : { replicas: r.value }),
  asked: r.asked,
  reason: r.reason,
  at: r.at,
  actions: r.actions,
});

export class RemediationTable {
  constructor(private readonly d: Db) {}

  /** Every intent's, or one intent's. */
  list(intentId?: string): StoredRemediation[] {
    const rows = (
      intentId === undefined
        ? this.d.stmt("SELECT * FROM remediations ORDER BY intent_id, nf, setting").all()
        : this.d.stmt("SELECT * FROM remediations WHERE intent_id = ? ORDER BY nf, setting").all(intentId)
    ) as Row[];
    return rows.map(toRemediation);
  }

  /** Records one more action on a setting of the NF: its value now, against what the intent asked. */
  put(r: Omit<StoredRemediation, "actions">): StoredRemediation {
    const [setting, value] =
      r.threshold !== undefined ? ["threshold", r.threshold] : ["replicas", r.replicas];
    if (value === undefined) throw new TypeError("a remediation sets either replicas or a threshold");
    const row = this.d
      .stmt(
        `INSERT INTO remediations (intent_id, nf, setting, revision, value, asked, reason, at, actions)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
           ON CONFLICT (intent_id, nf, setting) DO UPDATE SET revision = excluded.revision, value = excluded.value,
             asked = excluded.asked, reason = excluded.reason, at = excluded.at, actions = remediations.actions + 1
           RETURNING *`,
      )
      .get(r.intentId, r.nf, setting, r.revision, value, r.asked, r.reason, r.at) as Row;
    return toRemediation(row);
  }

  /** Forgets what was done to an intent before `revision` (a new revision from the hub starts afresh). */
  forgetBefore(intentId: string, revision: number): void {
    this.d.stmt("DELETE FROM remediations WHERE intent_id = ? AND revision < ?").run(intentId, revision);
  }

  remove(intentId: string): void {
    this.d.stmt("DELETE FROM remediations WHERE intent_id = ?").run(intentId);
  }
}
