/**
 * The PostgreSQL schema: the same tables and columns as SQLite's (text for JSON and ISO times, so both
 * engines run the same SQL), applied in order and recorded in `schema_version`. Text compares byte by byte
 * (collation "C"), as in SQLite: names sort the same on both, and ISO times compare without a locale's cost.
 */
/** Text in byte order. */
const T = 'TEXT COLLATE "C"';

export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_tokens (
    id ${T} PRIMARY KEY, name ${T} NOT NULL, role ${T} NOT NULL, hash ${T} NOT NULL UNIQUE, created_at ${T} NOT NULL,
    created_by ${T}, expires_at ${T}, last_used_at ${T}, revoked_at ${T}
  );
  CREATE TABLE intents (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id ${T} NOT NULL UNIQUE, name ${T} NOT NULL, text ${T}, description ${T}, plan ${T} NOT NULL,
    site_selector ${T} NOT NULL, revision INTEGER NOT NULL, priority ${T} NOT NULL, state ${T} NOT NULL,
    created_at ${T} NOT NULL, updated_at ${T} NOT NULL, created_by ${T} NOT NULL
  );
  CREATE TABLE sites (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id ${T} NOT NULL UNIQUE, labels ${T} NOT NULL, enrolled_at ${T} NOT NULL, last_seen ${T}, gone_at ${T},
    agent_version ${T}, desired_version INTEGER NOT NULL DEFAULT 0, reported_version INTEGER NOT NULL DEFAULT 0,
    resync_requested_at ${T}, credential_hash ${T} NOT NULL UNIQUE, nats_nkey ${T}, mqtt_hash ${T}
  );
  CREATE TABLE enrollment_tokens (
    id ${T} PRIMARY KEY, hash ${T} NOT NULL UNIQUE, site ${T} NOT NULL, labels ${T} NOT NULL,
    expires_at ${T} NOT NULL, used_at ${T}, created_by ${T} NOT NULL
  );
  CREATE TABLE site_reports (
    site_id ${T} NOT NULL, intent_id ${T} NOT NULL, revision INTEGER NOT NULL, phase ${T} NOT NULL,
    report ${T} NOT NULL, report_seq BIGINT NOT NULL, observed_at ${T} NOT NULL,
    ready_unknown INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, intent_id)
  );
  CREATE INDEX site_reports_gist ON site_reports (intent_id, site_id, revision, phase, ready_unknown);
  CREATE TABLE site_desired (
    site_id ${T} NOT NULL, intent_id ${T} NOT NULL, revision INTEGER NOT NULL, version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, intent_id)
  );
  CREATE INDEX site_desired_by_version ON site_desired (site_id, version);
  CREATE INDEX site_desired_by_intent ON site_desired (intent_id, deleted, site_id);
  CREATE TABLE idempotency (
    scope ${T} NOT NULL, key ${T} NOT NULL, body_hash ${T} NOT NULL, status INTEGER NOT NULL,
    response ${T} NOT NULL, created_at ${T} NOT NULL,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX idempotency_by_age ON idempotency (created_at);
  CREATE TABLE audit (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at ${T} NOT NULL, actor ${T} NOT NULL, action ${T} NOT NULL, target ${T} NOT NULL, detail ${T} NOT NULL
  );
  `,
  // A site's row changes with every change it is targeted by (its desired version): room left in each page
  // lets PostgreSQL update it in place (HOT), so the table does not bloat under a busy fleet.
  `
  ALTER TABLE sites SET (fillfactor = 50);
  `,
  // The rollup counts one index: each targeted site's latest report mirrored beside its desired row.
  `
  ALTER TABLE site_desired ADD COLUMN report_revision INTEGER, ADD COLUMN report_phase ${T},
    ADD COLUMN report_unknown INTEGER NOT NULL DEFAULT 0;
  UPDATE site_desired SET report_revision = r.revision, report_phase = r.phase, report_unknown = r.ready_unknown
    FROM site_reports r WHERE r.site_id = site_desired.site_id AND r.intent_id = site_desired.intent_id;
  DROP INDEX site_reports_gist;
  CREATE INDEX site_reports_by_intent ON site_reports (intent_id);
  DROP INDEX site_desired_by_intent;
  CREATE INDEX site_desired_gist ON site_desired
    (intent_id, deleted, site_id, report_revision, report_phase, report_unknown);
  `,
  // Every revision as made from here on (what a site held back by a rollout is sent), strategies, staged
  // rollouts. An intent made before keeps its current revision only (the intents table holds it).
  `
  CREATE TABLE intent_revisions (
    intent_id ${T} NOT NULL, revision INTEGER NOT NULL, intent ${T} NOT NULL, created_at ${T} NOT NULL,
    PRIMARY KEY (intent_id, revision)
  );
  ALTER TABLE intents ADD COLUMN rollout ${T};
  CREATE TABLE rollouts (
    intent_id ${T} NOT NULL, revision INTEGER NOT NULL, from_revision INTEGER, strategy ${T} NOT NULL,
    stages ${T} NOT NULL, stage INTEGER NOT NULL, state ${T} NOT NULL, reason ${T}, failures ${T} NOT NULL,
    started_at ${T} NOT NULL, stage_started_at ${T} NOT NULL, ready_since ${T}, updated_at ${T} NOT NULL,
    PRIMARY KEY (intent_id, revision)
  );
  CREATE INDEX rollouts_unfinished ON rollouts (state);
  `,
  `
  ALTER TABLE intents ADD COLUMN expression ${T};
  `,
  `
  ALTER TABLE site_reports ADD COLUMN fulfilment ${T};
  `,
  `
  CREATE TABLE intent_reports (
    intent_id ${T} NOT NULL, seq INTEGER NOT NULL, id ${T} NOT NULL UNIQUE, state ${T} NOT NULL,
    report ${T} NOT NULL, created_at ${T} NOT NULL,
    PRIMARY KEY (intent_id, seq)
  );
  CREATE TABLE listeners (
    id ${T} PRIMARY KEY, callback ${T} NOT NULL, query ${T}, secret ${T} NOT NULL, created_at ${T} NOT NULL,
    created_by ${T} NOT NULL
  );
  `,
  // The rollup's counts, kept as the rows they count change: what each statement on site_desired adds to and
  // takes from an intent's tally is appended (deltas: concurrent writers never wait on one counter row), and
  // the leading replica folds them (see the reports repository); and the sites of each phase in order, for
  // the rollup's worst-first list.
  `
  CREATE TABLE rollup_tally (
    intent_id ${T} NOT NULL, revision INTEGER NOT NULL, phase ${T} NOT NULL, unknown INTEGER NOT NULL,
    deleted INTEGER NOT NULL, n INTEGER NOT NULL
  );
  CREATE INDEX rollup_tally_by_intent ON rollup_tally (intent_id);
  CREATE INDEX site_desired_by_phase ON site_desired (intent_id, report_phase, site_id, report_revision, deleted);
  INSERT INTO rollup_tally SELECT intent_id, revision, phase, unknown, deleted, sum(n) FROM (${tallyKeys("site_desired", 1)}) AS c
    GROUP BY 1, 2, 3, 4, 5;
  ${tallyTrigger("insert", [["NEW", "added", 1]])}
  ${tallyTrigger("update", [
    ["NEW", "added", 1],
    ["OLD", "removed", -1],
  ])}
  ${tallyTrigger("delete", [["OLD", "removed", -1]])}
  `,
  // Offline sites by index (OFFLINE in the sites repository, each of its three tests): a rollup reads the
  // few sites that are offline, not all of them (10,000 sites: 1 ms of scan to 0.04). A heartbeat's update
  // of last_seen now writes the index too (a batch of 1,000: ~10 % longer).
  `
  CREATE INDEX sites_last_seen ON sites (last_seen);
  CREATE INDEX sites_said_gone ON sites (id) WHERE gone_at IS NOT NULL AND gone_at >= last_seen;
  `, // Intents being deleted by index: every commit of sites' acknowledgements looks for the ones every site has
  // let go (purgeReleased), and scanned all intents to find them (50,000 intents: 8 ms a commit, 0.2 by index).
  `
  CREATE INDEX intents_deleting ON intents (id) WHERE state = 'deleting';
  `,
];

/** Desired rows as the rollup tally's keys, each counting `sign`: no report yet is revision -1, phase ''. */
function tallyKeys(rows: string, sign: 1 | -1): string {
  return `SELECT intent_id, coalesce(report_revision, -1) AS revision, coalesce(report_phase, '') AS phase,
    report_unknown AS unknown, deleted, ${sign} AS n FROM ${rows}`;
}

/** After each statement that `op`s site_desired rows, their keys' net change appended to the tally. */
function tallyTrigger(op: string, sides: readonly (readonly ["NEW" | "OLD", string, 1 | -1])[]): string {
  return `
  CREATE FUNCTION rollup_tally_${op}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO rollup_tally SELECT intent_id, revision, phase, unknown, deleted, sum(n)
      FROM (${sides.map(([, name, sign]) => tallyKeys(name, sign)).join(" UNION ALL ")}) AS c
      GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
    RETURN NULL;
  END $$;
  CREATE TRIGGER site_desired_tally_${op} AFTER ${op.toUpperCase()} ON site_desired
    REFERENCING ${sides.map(([which, name]) => `${which} TABLE AS ${name}`).join(" ")}
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_tally_${op}();`;
}
