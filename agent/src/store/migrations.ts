/** Schema migrations, applied in order; PRAGMA user_version records how far a database has come. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE intents (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    text             TEXT,
    plan             TEXT NOT NULL,
    revision         INTEGER NOT NULL,
    priority         TEXT NOT NULL,
    origin           TEXT NOT NULL CHECK (origin IN ('hub', 'local')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    phase            TEXT NOT NULL DEFAULT 'Pending',
    conditions       TEXT NOT NULL DEFAULT '[]',
    phase_changed_at TEXT NOT NULL,
    applied_revision INTEGER
  );
  CREATE INDEX intents_order ON intents (created_at, id);
  CREATE TABLE intent_history (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    intent_id  TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    from_phase TEXT,
    to_phase   TEXT NOT NULL,
    reason     TEXT,
    message    TEXT,
    at         TEXT NOT NULL
  );
  CREATE INDEX intent_history_by_intent ON intent_history (intent_id, seq);
  CREATE TABLE nf_status (
    intent_id        TEXT NOT NULL,
    name             TEXT NOT NULL,
    nf               TEXT NOT NULL,
    desired_replicas INTEGER NOT NULL,
    ready_replicas   INTEGER NOT NULL,
    ready            INTEGER NOT NULL,
    message          TEXT,
    observed_at      TEXT NOT NULL,
    PRIMARY KEY (intent_id, name)
  );
  CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id     TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  `,
  // How each expectation of an intent stands (intent assurance), kept with the state it may be moving to.
  `
  CREATE TABLE expectations (
    intent_id TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    revision  INTEGER NOT NULL,
    status    TEXT NOT NULL,
    pending   TEXT,
    PRIMARY KEY (intent_id, idx)
  );
  `,
  // What the closed loop did to each NF of an intent: its replicas now, why, and how many times it acted.
  `
  CREATE TABLE remediations (
    intent_id TEXT NOT NULL,
    nf        TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    replicas  INTEGER NOT NULL,
    asked     INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL,
    actions   INTEGER NOT NULL,
    PRIMARY KEY (intent_id, nf)
  );
  `,
  // A closed-loop action changes a setting of the NF — its replicas, or a traffic steering policy's
  // threshold — to a value.
  `
  CREATE TABLE remediations_by_setting (
    intent_id TEXT NOT NULL,
    nf        TEXT NOT NULL,
    setting   TEXT NOT NULL CHECK (setting IN ('replicas', 'threshold')),
    revision  INTEGER NOT NULL,
    value     INTEGER NOT NULL,
    asked     INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    at        TEXT NOT NULL,
    actions   INTEGER NOT NULL,
    PRIMARY KEY (intent_id, nf, setting)
  );
  INSERT INTO remediations_by_setting (intent_id, nf, setting, revision, value, asked, reason, at, actions)
    SELECT intent_id, nf, 'replicas', revision, replicas, asked, reason, at, actions FROM remediations;
  DROP TABLE remediations;
  ALTER TABLE remediations_by_setting RENAME TO remediations;
  `,
];
