//! The search schema (migration 5): a trigram full-text index over the
//! incidents' titles and owners, and the techniques of each incident's
//! alerts, both kept exact by triggers under every write path (upserts,
//! reconcile deletes, cascades). `portfolio` uses them to narrow its text
//! and MITRE filters to an index lookup; `migrations` lists this as step 5,
//! and step 6 defers the full-text writes to one [`flush`] per write.

use rusqlite::{Connection, TransactionBehavior};

/// Migration 5.
///
/// The full-text rows are keyed by `incident_search_keys`, whose explicit
/// integer key survives VACUUM; the incidents' own rowids may not, and a
/// full-text table can only be joined by rowid cheaply.
///
/// `incident_techniques` holds one row per incident and technique with
/// `n`, the number of its alerts' technique rows naming it; rows that
/// reach zero are deleted. An alert's technique rows are removed before
/// the alert itself, so the decrement still finds the alert's incident
/// whether the alert is deleted directly or by a tenant's cascade.
pub(super) const SCHEMA: &str = r#"
    CREATE TABLE incident_search_keys (
        k         INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        id        TEXT NOT NULL,
        UNIQUE (tenant_id, id)
    );
    -- Case folding by the tokenizer makes the candidates a superset of
    -- what LIKE (ASCII folding only) matches; LIKE stays the final check.
    CREATE VIRTUAL TABLE incident_text USING fts5 (
        display_name, assigned_to, tokenize = 'trigram'
    );

    INSERT INTO incident_search_keys (tenant_id, id) SELECT tenant_id, id FROM incidents;
    INSERT INTO incident_text (rowid, display_name, assigned_to)
        SELECT k.k, i.display_name, coalesce(i.assigned_to, '')
        FROM incidents i JOIN incident_search_keys k ON k.tenant_id = i.tenant_id AND k.id = i.id;

    CREATE TRIGGER incident_text_insert AFTER INSERT ON incidents BEGIN
        INSERT INTO incident_search_keys (tenant_id, id) VALUES (new.tenant_id, new.id);
        INSERT INTO incident_text (rowid, display_name, assigned_to)
            SELECT k, new.display_name, coalesce(new.assigned_to, '') FROM incident_search_keys
            WHERE tenant_id = new.tenant_id AND id = new.id;
    END;
    CREATE TRIGGER incident_text_update AFTER UPDATE OF display_name, assigned_to ON incidents
    WHEN old.display_name IS NOT new.display_name OR old.assigned_to IS NOT new.assigned_to
    BEGIN
        UPDATE incident_text
            SET display_name = new.display_name, assigned_to = coalesce(new.assigned_to, '')
            WHERE rowid = (SELECT k FROM incident_search_keys
                           WHERE tenant_id = new.tenant_id AND id = new.id);
    END;
    CREATE TRIGGER incident_text_delete AFTER DELETE ON incidents BEGIN
        DELETE FROM incident_text WHERE rowid = (SELECT k FROM incident_search_keys
                                                 WHERE tenant_id = old.tenant_id AND id = old.id);
        DELETE FROM incident_search_keys WHERE tenant_id = old.tenant_id AND id = old.id;
    END;

    CREATE TABLE incident_techniques (
        technique   TEXT NOT NULL,
        tenant_id   TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        n           INTEGER NOT NULL,
        PRIMARY KEY (technique, tenant_id, incident_id)
    ) WITHOUT ROWID;
    -- The newest page asks, per incident, whether it has a match.
    CREATE INDEX incident_techniques_of
        ON incident_techniques (tenant_id, incident_id, technique);

    INSERT INTO incident_techniques
        SELECT x.technique, a.tenant_id, a.incident_id, count(*)
        FROM alert_techniques x JOIN alerts a ON a.tenant_id = x.tenant_id AND a.id = x.alert_id
        WHERE a.incident_id IS NOT NULL
        GROUP BY 1, 2, 3;

    CREATE TRIGGER incident_techniques_add AFTER INSERT ON alert_techniques BEGIN
        INSERT INTO incident_techniques (technique, tenant_id, incident_id, n)
            SELECT new.technique, a.tenant_id, a.incident_id, 1 FROM alerts a
            WHERE a.tenant_id = new.tenant_id AND a.id = new.alert_id
              AND a.incident_id IS NOT NULL
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER incident_techniques_remove AFTER DELETE ON alert_techniques BEGIN
        UPDATE incident_techniques SET n = n - 1
            WHERE technique = old.technique AND tenant_id = old.tenant_id
              AND incident_id = (SELECT incident_id FROM alerts
                                 WHERE tenant_id = old.tenant_id AND id = old.alert_id);
        DELETE FROM incident_techniques
            WHERE technique = old.technique AND tenant_id = old.tenant_id
              AND incident_id = (SELECT incident_id FROM alerts
                                 WHERE tenant_id = old.tenant_id AND id = old.alert_id)
              AND n <= 0;
    END;
    CREATE TRIGGER incident_techniques_alert_gone BEFORE DELETE ON alerts BEGIN
        DELETE FROM alert_techniques WHERE tenant_id = old.tenant_id AND alert_id = old.id;
    END;
    CREATE TRIGGER incident_techniques_alert_moved AFTER UPDATE OF incident_id ON alerts
    WHEN old.incident_id IS NOT new.incident_id
    BEGIN
        UPDATE incident_techniques SET n = n - (
                SELECT count(*) FROM alert_techniques x
                WHERE x.tenant_id = old.tenant_id AND x.alert_id = old.id
                  AND x.technique = incident_techniques.technique)
            WHERE tenant_id = old.tenant_id AND incident_id = old.incident_id;
        DELETE FROM incident_techniques
            WHERE tenant_id = old.tenant_id AND incident_id = old.incident_id AND n <= 0;
        INSERT INTO incident_techniques (technique, tenant_id, incident_id, n)
            SELECT x.technique, new.tenant_id, new.incident_id, 1 FROM alert_techniques x
            WHERE x.tenant_id = new.tenant_id AND x.alert_id = new.id
              AND new.incident_id IS NOT NULL
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
"#;

/// Migration 6: the full-text index is brought up to date once per write
/// instead of once per incident.
///
/// FTS5 writes its pending terms out as a new index segment whenever a
/// statement that touches it opens a savepoint, which every trigger-fired
/// write does; migration 5's per-row triggers therefore left one segment
/// per incident written, and merging them cost most of a tenant pull. The
/// triggers now only note the changed incident in `incident_text_stale`,
/// and [`flush`] rewrites those rows of `incident_text` in three
/// statements after each write. Searches also treat stale incidents as
/// candidates (LIKE stays the final check), so results stay exact even if
/// a process dies between a write and its flush.
pub(super) const DEFERRED_TEXT: &str = r#"
    CREATE TABLE incident_text_stale (k INTEGER PRIMARY KEY);
    -- The triggers test for a listed key instead of INSERT OR IGNORE: an
    -- upsert's own conflict clause overrides the one of a trigger it fires.

    DROP TRIGGER incident_text_insert;
    DROP TRIGGER incident_text_update;
    DROP TRIGGER incident_text_delete;

    CREATE TRIGGER incident_text_insert AFTER INSERT ON incidents BEGIN
        INSERT INTO incident_search_keys (tenant_id, id) VALUES (new.tenant_id, new.id);
        INSERT INTO incident_text_stale (k)
            SELECT k FROM incident_search_keys WHERE tenant_id = new.tenant_id AND id = new.id
            AND k NOT IN (SELECT k FROM incident_text_stale);
    END;
    CREATE TRIGGER incident_text_update AFTER UPDATE OF display_name, assigned_to ON incidents
    WHEN old.display_name IS NOT new.display_name OR old.assigned_to IS NOT new.assigned_to
    BEGIN
        INSERT INTO incident_text_stale (k)
            SELECT k FROM incident_search_keys WHERE tenant_id = new.tenant_id AND id = new.id
            AND k NOT IN (SELECT k FROM incident_text_stale);
    END;
    CREATE TRIGGER incident_text_delete AFTER DELETE ON incidents BEGIN
        INSERT INTO incident_text_stale (k)
            SELECT k FROM incident_search_keys WHERE tenant_id = old.tenant_id AND id = old.id
            AND k NOT IN (SELECT k FROM incident_text_stale);
        DELETE FROM incident_search_keys WHERE tenant_id = old.tenant_id AND id = old.id;
    END;
"#;

/// Rewrites the full-text rows of the incidents written since the last
/// flush, in one transaction. Cheap when nothing is stale.
pub(super) fn flush(conn: &mut Connection) -> rusqlite::Result<()> {
    if !any_stale(conn)? {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    rewrite_stale(&tx)?;
    tx.commit()
}

/// [`flush`] inside the transaction open on `conn`, under a savepoint: on
/// an error the stale list and the index stay as they were.
pub(super) fn flush_within(conn: &Connection) -> rusqlite::Result<()> {
    if !any_stale(conn)? {
        return Ok(());
    }
    conn.execute_batch("SAVEPOINT flush")?;
    match rewrite_stale(conn) {
        Ok(()) => conn.execute_batch("RELEASE flush"),
        Err(error) => {
            conn.execute_batch("ROLLBACK TO flush; RELEASE flush")?;
            Err(error)
        }
    }
}

fn any_stale(conn: &Connection) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM incident_text_stale)")?
        .query_row([], |r| r.get(0))
}

fn rewrite_stale(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM incident_text WHERE rowid IN (SELECT k FROM incident_text_stale);
         -- CROSS JOIN keeps this order: the planner has no statistics for
         -- the stale list and would rather scan every incident.
         INSERT INTO incident_text (rowid, display_name, assigned_to)
             SELECT k.k, i.display_name, coalesce(i.assigned_to, '')
             FROM incident_text_stale s
             CROSS JOIN incident_search_keys k ON k.k = s.k
             CROSS JOIN incidents i ON i.tenant_id = k.tenant_id AND i.id = k.id;
         DELETE FROM incident_text_stale;",
    )
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::migrations::{migrate, migrate_to};

    /// One column of every row `sql` returns.
    fn rows(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn migration_fills_the_search_tables_from_rows_written_before_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, display_name, capability) VALUES ('t1', 'Contoso', 'manage');
             INSERT INTO incidents (tenant_id, id, display_name, severity, status, assigned_to,
                                    created_at, last_update_at)
             VALUES ('t1', '1', 'Phishing wave', 'high', 'active', NULL, 'a', 'a'),
                    ('t1', '2', 'Password spray', 'low', 'active', 'Bob@x.com', 'b', 'b');
             INSERT INTO alerts (tenant_id, id, incident_id, title, severity, status)
             VALUES ('t1', 'a1', '1', 'x', 'high', 'new'), ('t1', 'a2', '1', 'y', 'high', 'new'),
                    ('t1', 'a3', NULL, 'z', 'low', 'new');
             INSERT INTO alert_techniques VALUES ('t1', 'a1', 'T1566'), ('t1', 'a2', 'T1566'),
                    ('t1', 'a2', 'T1110'), ('t1', 'a3', 'T1059');",
        )
        .unwrap();

        migrate(&mut conn).unwrap();

        let techniques = rows(
            &conn,
            "SELECT technique || ' ' || incident_id || ' ' || n FROM incident_techniques ORDER BY 1",
        );
        assert_eq!(techniques, ["T1110 1 1", "T1566 1 2"]);
        let found = rows(
            &conn,
            "SELECT k.id FROM incident_text JOIN incident_search_keys k ON k.k = incident_text.rowid \
             WHERE incident_text MATCH '\"bob@\" OR \"WAVE\"' ORDER BY 1",
        );
        assert_eq!(found, ["1", "2"]);
    }

    #[test]
    fn writes_mark_incidents_stale_until_a_flush_rewrites_their_text() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO tenants (id, display_name, capability) VALUES ('t1', 'Contoso', 'manage');
             INSERT INTO incidents (tenant_id, id, display_name, severity, status, assigned_to,
                                    created_at, last_update_at)
             VALUES ('t1', '1', 'Phishing wave', 'high', 'active', NULL, 'a', 'a'),
                    ('t1', '2', 'Password spray', 'low', 'active', NULL, 'b', 'b');",
        )
        .unwrap();
        let matching = |conn: &Connection, text: &str| {
            rows(
                conn,
                &format!(
                    "SELECT k.id FROM incident_text JOIN incident_search_keys k \
                     ON k.k = incident_text.rowid WHERE incident_text MATCH '\"{text}\"'"
                ),
            )
        };
        let stale =
            |conn: &Connection| rows(conn, "SELECT CAST(k AS TEXT) FROM incident_text_stale").len();
        assert_eq!(stale(&conn), 2);
        assert!(
            matching(&conn, "wave").is_empty(),
            "not indexed before a flush"
        );

        super::flush(&mut conn).unwrap();
        assert_eq!(stale(&conn), 0);
        assert_eq!(matching(&conn, "wave"), ["1"]);

        conn.execute_batch(
            "UPDATE incidents SET display_name = 'Mailbox rule' WHERE id = '1';
             UPDATE incidents SET assigned_to = 'bob@contoso.com' WHERE id = '1';
             DELETE FROM incidents WHERE id = '2';",
        )
        .unwrap();
        assert_eq!(stale(&conn), 2, "each changed incident listed once");
        super::flush(&mut conn).unwrap();

        assert!(matching(&conn, "wave").is_empty());
        assert_eq!(matching(&conn, "bob@"), ["1"]);
        assert_eq!(matching(&conn, "mailbox"), ["1"]);
        assert!(matching(&conn, "spray").is_empty());
        assert_eq!(
            rows(&conn, "SELECT CAST(count(*) AS TEXT) FROM incident_text"),
            ["1"]
        );
    }
}
