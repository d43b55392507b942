/**
 * The PostgreSQL schema: the same tables and columns as SQLite's (text for JSON and ISO times, so both
 * engines run the same SQL), applied in order and recorded in `schema_version`.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
    created_by TEXT, expires_at TEXT, last_used_at TEXT, revoked_at TEXT
  );
  CREATE TABLE intents (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, text TEXT, description TEXT, plan TEXT NOT NULL,
    site_selector TEXT NOT NULL, revision INTEGER NOT NULL, priority TEXT NOT NULL, state TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, created_by TEXT NOT NULL
  );
  CREATE TABLE sites (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE, labels TEXT NOT NULL, enrolled_at TEXT NOT NULL, last_seen TEXT, gone_at TEXT,
    agent_version TEXT, desired_version INTEGER NOT NULL DEFAULT 0, reported_version INTEGER NOT NULL DEFAULT 0,
    resync_requested_at TEXT, credential_hash TEXT NOT NULL UNIQUE, nats_nkey TEXT, mqtt_hash TEXT
  );
  CREATE TABLE enrollment_tokens (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, site TEXT NOT NULL, labels TEXT NOT NULL,
    expires_at TEXT NOT NULL, used_at TEXT, created_by TEXT NOT NULL
  );
  CREATE TABLE site_reports (
    site_id TEXT NOT NULL, intent_id TEXT NOT NULL, revision INTEGER NOT NULL, phase TEXT NOT NULL,
    report TEXT NOT NULL, report_seq BIGINT NOT NULL, observed_at TEXT NOT NULL,
    ready_unknown INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, intent_id)
  );
  CREATE INDEX site_reports_by_intent ON site_reports (intent_id);
  CREATE TABLE site_desired (
    site_id TEXT NOT NULL, intent_id TEXT NOT NULL, revision INTEGER NOT NULL, version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, intent_id)
  );
  CREATE INDEX site_desired_by_version ON site_desired (site_id, version);
  CREATE INDEX site_desired_by_intent ON site_desired (intent_id);
  CREATE TABLE idempotency (
    scope TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL, status INTEGER NOT NULL,
    response TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_by_age ON idempotency (created_at);
  CREATE TABLE audit (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL
  );
  `,
];
