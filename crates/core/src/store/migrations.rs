//! Numbered, append-only schema migrations.
//!
//! Migration N is `MIGRATIONS[N - 1]`; the file's `user_version` is the
//! last one applied. Pending steps run at open in one transaction, so a
//! failure (or a killed process) leaves the file at its previous version.
//! A shipped step is never edited: change the schema by appending one.

use rusqlite::{Connection, TransactionBehavior};

use super::{Error, Result};

/// The schema, one step per entry.
const MIGRATIONS: &[&str] = &[
    // 1: tenants and the Defender data pulled for them.
    r#"
    CREATE TABLE tenants (
        id              TEXT PRIMARY KEY NOT NULL CHECK (id <> ''),
        display_name    TEXT NOT NULL,
        domains         TEXT NOT NULL DEFAULT '[]',
        capability      TEXT NOT NULL,
        skip_reason     TEXT,
        present         INTEGER NOT NULL DEFAULT 1,
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_error      TEXT
    );

    CREATE TABLE incidents (
        tenant_id            TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id                   TEXT NOT NULL CHECK (id <> ''),
        display_name         TEXT NOT NULL,
        description          TEXT,
        severity             TEXT NOT NULL,
        status               TEXT NOT NULL,
        classification       TEXT,
        determination        TEXT,
        assigned_to          TEXT,
        created_at           TEXT NOT NULL,
        last_update_at       TEXT NOT NULL,
        web_url              TEXT,
        redirect_incident_id TEXT,
        custom_tags          TEXT NOT NULL DEFAULT '[]',
        system_tags          TEXT NOT NULL DEFAULT '[]',
        comments             TEXT NOT NULL DEFAULT '[]',
        alert_count          INTEGER NOT NULL DEFAULT 0,
        affected_entities    TEXT NOT NULL DEFAULT '[]',
        first_activity_at    TEXT,
        last_activity_at     TEXT,
        PRIMARY KEY (tenant_id, id)
    );
    -- The portfolio is always newest first; each filter gets an index that
    -- keeps that order within the filtered value.
    CREATE INDEX incidents_newest ON incidents (created_at DESC, id DESC, tenant_id DESC);
    CREATE INDEX incidents_tenant_newest
        ON incidents (tenant_id, created_at DESC, id DESC);
    CREATE INDEX incidents_severity
        ON incidents (severity, created_at DESC, id DESC, tenant_id DESC);
    CREATE INDEX incidents_status
        ON incidents (status, created_at DESC, id DESC, tenant_id DESC);
    CREATE INDEX incidents_classification
        ON incidents (classification, created_at DESC, id DESC, tenant_id DESC);
    CREATE INDEX incidents_assigned
        ON incidents (assigned_to COLLATE NOCASE, created_at DESC);

    CREATE TABLE alerts (
        tenant_id           TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id                  TEXT NOT NULL CHECK (id <> ''),
        -- No foreign key: an alert may name an incident not pulled yet.
        incident_id         TEXT,
        title               TEXT NOT NULL,
        description         TEXT,
        category            TEXT,
        severity            TEXT NOT NULL,
        status              TEXT NOT NULL,
        classification      TEXT,
        determination       TEXT,
        assigned_to         TEXT,
        mitre_techniques    TEXT NOT NULL DEFAULT '[]',
        recommended_actions TEXT,
        service_source      TEXT,
        detection_source    TEXT,
        created_at          TEXT,
        last_update_at      TEXT,
        first_activity_at   TEXT,
        last_activity_at    TEXT,
        web_url             TEXT,
        evidence            TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (tenant_id, id)
    );
    CREATE INDEX alerts_incident ON alerts (tenant_id, incident_id);

    -- One row per alert and technique, upper case, for prefix filters.
    CREATE TABLE alert_techniques (
        tenant_id TEXT NOT NULL,
        alert_id  TEXT NOT NULL,
        technique TEXT NOT NULL,
        PRIMARY KEY (tenant_id, alert_id, technique),
        FOREIGN KEY (tenant_id, alert_id) REFERENCES alerts (tenant_id, id) ON DELETE CASCADE
    );
    CREATE INDEX alert_techniques_technique ON alert_techniques (technique, tenant_id, alert_id);

    CREATE TABLE recommendations (
        tenant_id           TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        id                  TEXT NOT NULL,
        title               TEXT NOT NULL,
        category            TEXT,
        service             TEXT,
        current_score       REAL,
        max_score           REAL,
        rank                INTEGER,
        action_type         TEXT,
        tier                TEXT,
        user_impact         TEXT,
        implementation_cost TEXT,
        remediation         TEXT,
        action_url          TEXT,
        portal_url          TEXT NOT NULL,
        state               TEXT,
        deprecated          INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, id)
    );

    CREATE TABLE score_snapshots (
        tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        created_at    TEXT NOT NULL,
        current_score REAL NOT NULL,
        max_score     REAL NOT NULL,
        PRIMARY KEY (tenant_id, created_at)
    );

    CREATE TABLE watermarks (
        tenant_id    TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        last_update  TEXT,
        last_full_at TEXT
    );

    -- Customer UPNs seen in alert evidence, for assigned-to suggestions.
    CREATE TABLE known_upns (
        tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        upn_key   TEXT NOT NULL,
        upn       TEXT NOT NULL,
        PRIMARY KEY (tenant_id, upn_key)
    );
    "#,
    // 2: what the app records about itself.
    r#"
    CREATE TABLE sync_runs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        trigger         TEXT NOT NULL,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        outcome         TEXT NOT NULL,
        tenants_ok      INTEGER NOT NULL DEFAULT 0,
        tenants_skipped INTEGER NOT NULL DEFAULT 0,
        tenants_failed  INTEGER NOT NULL DEFAULT 0,
        incidents       INTEGER NOT NULL DEFAULT 0,
        alerts          INTEGER NOT NULL DEFAULT 0,
        requests        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sync_runs_outcome ON sync_runs (outcome, finished_at);

    -- No foreign key to tenants: the trail outlives whatever it concerns.
    CREATE TABLE audit_log (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        at            TEXT NOT NULL,
        actor         TEXT NOT NULL,
        tenant_id     TEXT NOT NULL,
        incident_id   TEXT,
        action        TEXT NOT NULL,
        method        TEXT NOT NULL,
        path          TEXT NOT NULL,
        request_body  TEXT,
        status        INTEGER,
        request_id    TEXT,
        response_body TEXT,
        outcome       TEXT NOT NULL
    );
    CREATE INDEX audit_log_incident ON audit_log (tenant_id, incident_id, id DESC);

    CREATE TABLE local_alerts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        dedupe_key      TEXT NOT NULL,
        severity        TEXT NOT NULL,
        title           TEXT NOT NULL,
        message         TEXT NOT NULL,
        tenant_id       TEXT NOT NULL,
        incident_id     TEXT,
        raised_at       TEXT NOT NULL,
        acknowledged_at TEXT,
        occurrences     INTEGER NOT NULL DEFAULT 1,
        last_raised_at  TEXT NOT NULL
    );
    -- At most one unacknowledged alert per key: repeats bump that row.
    CREATE UNIQUE INDEX local_alerts_open_key ON local_alerts (dedupe_key)
        WHERE acknowledged_at IS NULL;
    CREATE INDEX local_alerts_newest ON local_alerts (last_raised_at DESC, id DESC);

    CREATE TABLE settings (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    );
    "#,
    // 3: counts kept beside the incidents, so the portfolio's severity
    // counts and the tenant list read a few hundred rows instead of every
    // incident. Triggers keep them exact under every write path (upserts,
    // reconcile deletes, cascades); `tally` reads them.
    super::tally_schema::SCHEMA,
    // 4: covering indexes for owner suggestions and the MITRE filter, which
    // otherwise read whole alert rows (evidence included) per match: alert
    // to incident for counting, incident to alerts for the newest page.
    // The second replaces `alerts_incident`, whose columns it starts with.
    r#"
    CREATE INDEX alerts_tenant_owner ON alerts (tenant_id, assigned_to);
    CREATE INDEX alerts_incident_of ON alerts (tenant_id, id, incident_id);
    DROP INDEX alerts_incident;
    CREATE INDEX alerts_incident_ids ON alerts (tenant_id, incident_id, id);
    "#,
    // 5: a trigram index over incident titles and owners, and each
    // incident's distinct techniques, so the portfolio's text and MITRE
    // filters read index ranges instead of every incident or alert.
    super::search_schema::SCHEMA,
    // 6: the full-text index is rewritten once per write, not per incident.
    super::search_schema::DEFERRED_TEXT,
    // 7: incidents per technique, parent technique, tenant and severity,
    // so a MITRE filter's counts read a tally instead of every match.
    super::technique_tally::SCHEMA,
    // 8: the tenant list reads every present tenant's Secure Score trend;
    // with the scores in the index it no longer looks each snapshot up.
    "CREATE INDEX score_snapshots_trend \
         ON score_snapshots (tenant_id, created_at, current_score, max_score);",
    // 9: the technique tally's row triggers read index ranges instead of
    // grouping each incident's keys, four to five times cheaper a row.
    super::technique_tally::RANGE_TRIGGERS,
];

/// Brings the schema up to date.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    apply(conn, MIGRATIONS)
}

/// Applies the steps of `steps` not yet in the file, in one transaction.
fn apply(conn: &mut Connection, steps: &[&str]) -> Result<()> {
    let known = steps.len() as u32;

    // IMMEDIATE takes the write lock before reading the version, so two
    // processes opening the same new file cannot both run step 1.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(Error::SchemaTooNew { found, known });
    }
    if found == known {
        return Ok(());
    }

    for (index, sql) in steps.iter().enumerate().skip(found as usize) {
        let version = index as u32 + 1;
        tx.execute_batch(sql)
            .map_err(|source| Error::Migration { version, source })?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    tracing::info!(from = found, to = known, "cache schema migrated");
    Ok(())
}

/// Brings an empty connection to `version` exactly, for tests of a later
/// step against data written under an earlier schema.
#[cfg(test)]
pub(super) fn migrate_to(conn: &mut Connection, version: usize) -> Result<()> {
    apply(conn, &MIGRATIONS[..version])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> u32 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn every_step_applies_to_an_empty_file() {
        let mut conn = Connection::open_in_memory().unwrap();

        migrate(&mut conn).unwrap();

        assert_eq!(version(&conn), MIGRATIONS.len() as u32);
    }

    #[test]
    fn reopening_an_up_to_date_file_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn).unwrap();
        drop(conn);

        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn).unwrap();

        assert_eq!(version(&conn), MIGRATIONS.len() as u32);
    }

    #[test]
    fn a_failing_step_leaves_the_previous_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn, &["CREATE TABLE a (x INTEGER);"]).unwrap();

        let steps = [
            "CREATE TABLE a (x INTEGER);",
            "CREATE TABLE b (y);",
            "NOT SQL",
        ];
        let err = apply(&mut conn, &steps).unwrap_err();

        assert!(
            matches!(err, Error::Migration { version: 3, .. }),
            "got {err:?}"
        );
        assert_eq!(version(&conn), 1, "the file should stay at version 1");
        let b_exists: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!b_exists, "step 2 should have rolled back with step 3");
    }

    #[test]
    fn a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();

        let err = migrate(&mut conn).unwrap_err();

        assert!(
            matches!(err, Error::SchemaTooNew { found: 99, .. }),
            "got {err:?}"
        );
    }
}
