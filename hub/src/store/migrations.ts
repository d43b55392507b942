export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
  CREATE TABLE intents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, text TEXT, plan TEXT NOT NULL, site_selector TEXT NOT NULL,
    revision INTEGER NOT NULL, priority TEXT NOT NULL, state TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL
  );
  CREATE TABLE sites (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, labels TEXT NOT NULL, enrolled_at TEXT NOT NULL, last_seen TEXT, agent_version TEXT,
    desired_version INTEGER NOT NULL DEFAULT 0, reported_version INTEGER NOT NULL DEFAULT 0,
    resync_requested_at TEXT, credential_hash TEXT NOT NULL UNIQUE
  );
  CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, site TEXT NOT NULL, labels TEXT NOT NULL,
    expires_at TEXT NOT NULL, used_at TEXT, created_by TEXT NOT NULL
  );
  CREATE TABLE site_reports (
    site_id TEXT NOT NULL, intent_id TEXT NOT NULL, revision INTEGER NOT NULL, phase TEXT NOT NULL,
    report TEXT NOT NULL, report_seq INTEGER NOT NULL, observed_at TEXT NOT NULL,
    PRIMARY KEY (site_id, intent_id)
  );
  CREATE INDEX site_reports_by_intent ON site_reports (intent_id);
  CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL);
  `,
  `
  CREATE TABLE site_desired (
    site_id TEXT NOT NULL, intent_id TEXT NOT NULL, revision INTEGER NOT NULL, version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, intent_id)
  );
  CREATE INDEX site_desired_by_version ON site_desired (site_id, version);
  CREATE INDEX site_desired_by_intent ON site_desired (intent_id);
  ALTER TABLE sites ADD COLUMN nats_nkey TEXT;
  ALTER TABLE sites ADD COLUMN mqtt_hash TEXT;
  `,
  `
  ALTER TABLE api_tokens ADD COLUMN created_by TEXT;
  ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
  ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
  ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
  CREATE TABLE idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_by_age ON idempotency (created_at);
  `,
  `
  ALTER TABLE sites ADD COLUMN gone_at TEXT;
  `,
  `
  ALTER TABLE intents ADD COLUMN description TEXT;
  `,
  `
  ALTER TABLE site_reports ADD COLUMN ready_unknown INTEGER NOT NULL DEFAULT 0;
  UPDATE site_reports SET ready_unknown = EXISTS (
    SELECT 1 FROM json_each(report, '$.conditions') c
    WHERE json_extract(c.value, '$.type') = 'Ready' AND json_extract(c.value, '$.status') = 'Unknown');
  `,
  `
  DROP INDEX site_reports_by_intent;
  CREATE INDEX site_reports_gist ON site_reports (intent_id, site_id, revision, phase, ready_unknown);
  DROP INDEX site_desired_by_intent;
  CREATE INDEX site_desired_by_intent ON site_desired (intent_id, deleted, site_id);
  `,
  // The rollup counts one index: each targeted site's latest report (revision, phase, whether its Ready
  // condition is Unknown) mirrored beside its desired row.
  `
  ALTER TABLE site_desired ADD COLUMN report_revision INTEGER;
  ALTER TABLE site_desired ADD COLUMN report_phase TEXT;
  ALTER TABLE site_desired ADD COLUMN report_unknown INTEGER NOT NULL DEFAULT 0;
  UPDATE site_desired SET report_revision = r.revision, report_phase = r.phase, report_unknown = r.ready_unknown
    FROM site_reports r WHERE r.site_id = site_desired.site_id AND r.intent_id = site_desired.intent_id;
  DROP INDEX site_reports_gist;
  CREATE INDEX site_reports_by_intent ON site_reports (intent_id);
  DROP INDEX site_desired_by_intent;
  CREATE INDEX site_desired_gist ON site_desired (intent_id, deleted, site_id, report_revision, report_phase, report_unknown);
  `,
  // Every revision as made from here on (what a site held back by a rollout is sent), strategies, staged
  // rollouts. An intent made before keeps its current revision only (the intents table holds it).
  `
  CREATE TABLE intent_revisions (
    intent_id TEXT NOT NULL, revision INTEGER NOT NULL, intent TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (intent_id, revision)
  );
  ALTER TABLE intents ADD COLUMN rollout TEXT;
  CREATE TABLE rollouts (
    intent_id TEXT NOT NULL, revision INTEGER NOT NULL, from_revision INTEGER, strategy TEXT NOT NULL,
    stages TEXT NOT NULL, stage INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, failures TEXT NOT NULL,
    started_at TEXT NOT NULL, stage_started_at TEXT NOT NULL, ready_since TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (intent_id, revision)
  );
  CREATE INDEX rollouts_unfinished ON rollouts (state);
  `,
  `
  ALTER TABLE intents ADD COLUMN expression TEXT;
  `,
  // The worst state among a report's expectations (intent assurance), for the rollup to count.
  `
  ALTER TABLE site_reports ADD COLUMN fulfilment TEXT;
  `,
  // TMF921: an intent's fulfilment reports (one each time its state across the sites changes), and the
  // listeners notified of changes (each with the secret its notifications are signed with).
  `
  CREATE TABLE intent_reports (
    intent_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, state TEXT NOT NULL,
    report TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (intent_id, seq)
  );
  CREATE TABLE listeners (
    id TEXT PRIMARY KEY, callback TEXT NOT NULL, query TEXT, secret TEXT NOT NULL, created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  `,
  // The rollup's counts, kept as the rows they count change: one row per intent and key (no report yet is
  // revision -1, phase ''), moved by triggers on every change of a desired row; and the sites of each phase in
  // order, for the rollup's worst-first list.
  `
  CREATE TABLE rollup_tally (
    intent_id TEXT NOT NULL, revision INTEGER NOT NULL, phase TEXT NOT NULL, unknown INTEGER NOT NULL,
    deleted INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (intent_id, revision, phase, unknown, deleted)
  );
  CREATE INDEX site_desired_by_phase ON site_desired (intent_id, report_phase, site_id, report_revision, deleted);
  INSERT INTO rollup_tally
    SELECT intent_id, coalesce(report_revision, -1), coalesce(report_phase, ''), report_unknown, deleted, count(*)
    FROM site_desired WHERE true GROUP BY 1, 2, 3, 4, 5;
  CREATE TRIGGER site_desired_tally_insert AFTER INSERT ON site_desired BEGIN
    ${sqliteTally("new", 1)}
  END;
  CREATE TRIGGER site_desired_tally_update
  AFTER UPDATE OF intent_id, report_revision, report_phase, report_unknown, deleted ON site_desired BEGIN
    ${sqliteTally("old", -1)}
    ${sqliteTally("new", 1)}
  END;
  CREATE TRIGGER site_desired_tally_delete AFTER DELETE ON site_desired BEGIN
    ${sqliteTally("old", -1)}
  END;
  `, // Intents being deleted by index: every commit of sites' acknowledgements looks for the ones every site has
  // let go (purgeReleased), and scanned all intents to find them (50,000 intents: 8 ms a commit, 0.2 by index).
  `
  CREATE INDEX intents_deleting ON intents (id) WHERE state = 'deleting';
  `,
];

/** A trigger's step: the `row`'s key in the rollup tally counted by `sign`. */
function sqliteTally(row: "new" | "old", sign: 1 | -1): string {
  return `INSERT INTO rollup_tally (intent_id, revision, phase, unknown, deleted, n)
      VALUES (${row}.intent_id, coalesce(${row}.report_revision, -1), coalesce(${row}.report_phase, ''),
        ${row}.report_unknown, ${row}.deleted, ${sign})
      ON CONFLICT (intent_id, revision, phase, unknown, deleted) DO UPDATE SET n = n + excluded.n;`;
}
