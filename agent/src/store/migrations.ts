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
  // A change from the hub writes five pages where it wrote seven: meta and intents are kept by their keys
  // alone (WITHOUT ROWID: no second b-tree to find a row by its key), and history is numbered without
  // AUTOINCREMENT's sequence table (its rows are never deleted, so a number is never used twice).
  `
  CREATE TABLE meta_next (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  INSERT INTO meta_next (key, value) SELECT key, value FROM meta;
  DROP TABLE meta;
  ALTER TABLE meta_next RENAME TO meta;
  CREATE TABLE intents_next (
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
  ) WITHOUT ROWID;
  INSERT INTO intents_next (id, name, text, plan, revision, priority, origin, created_at, updated_at, phase, conditions, phase_changed_at, applied_revision)
    SELECT id, name, text, plan, revision, priority, origin, created_at, updated_at, phase, conditions, phase_changed_at, applied_revision FROM intents;
  DROP TABLE intents;
  ALTER TABLE intents_next RENAME TO intents;
  CREATE INDEX intents_order ON intents (created_at, id);
  CREATE TABLE intent_history_next (
    seq        INTEGER PRIMARY KEY,
    intent_id  TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    from_phase TEXT,
    to_phase   TEXT NOT NULL,
    reason     TEXT,
    message    TEXT,
    at         TEXT NOT NULL
  );
  INSERT INTO intent_history_next (seq, intent_id, revision, from_phase, to_phase, reason, message, at)
    SELECT seq, intent_id, revision, from_phase, to_phase, reason, message, at FROM intent_history;
  DROP TABLE intent_history;
  ALTER TABLE intent_history_next RENAME TO intent_history;
  CREATE INDEX intent_history_by_intent ON intent_history (intent_id, seq);
  `,
  // Three pages where it wrote five: history is kept by intent and number (WITHOUT ROWID: the index it was
  // read by becomes the table), and the intents' order is sorted when listed — a site holds tens to
  // hundreds of intents, and the index on it was one more page for every new one. History keeps its
  // numbers; a new entry takes the next number of its intent.
  `
  DROP INDEX intents_order;
  CREATE TABLE intent_history_next (
    intent_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    revision   INTEGER NOT NULL,
    from_phase TEXT,
    to_phase   TEXT NOT NULL,
    reason     TEXT,
    message    TEXT,
    at         TEXT NOT NULL,
    PRIMARY KEY (intent_id, seq)
  ) WITHOUT ROWID;
  INSERT INTO intent_history_next (intent_id, seq, revision, from_phase, to_phase, reason, message, at)
    SELECT intent_id, seq, revision, from_phase, to_phase, reason, message, at FROM intent_history;
  DROP TABLE intent_history;
  ALTER TABLE intent_history_next RENAME TO intent_history;
  `,
  // History is bounded: an intent keeps its newest 100 entries (HISTORY_KEPT), and a removed intent's goes
  // with it. A store from before drops what it kept beyond that.
  `
  DELETE FROM intent_history WHERE intent_id NOT IN (SELECT id FROM intents);
  DELETE FROM intent_history WHERE (intent_id, seq) IN (
    SELECT intent_id, seq FROM (
      SELECT intent_id, seq, row_number() OVER (PARTITION BY intent_id ORDER BY seq DESC) AS newer
        FROM intent_history)
    WHERE newer > 100);
  `,
  // Two pages where a change from the hub wrote three: the hub's version a change brought is kept on the
  // intent's row, and the sync cursor is the greater of that and meta's. Meta is written only when no row
  // carries the version: a delete, a snapshot, a change the site already held.
  `
  ALTER TABLE intents ADD COLUMN hub_version INTEGER;
  `,
];
