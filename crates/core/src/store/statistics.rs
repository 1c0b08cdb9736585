//! The query planner's statistics, refreshed on a thread of its own.
//!
//! SQLite advises `PRAGMA optimize` when a long-lived connection opens,
//! and the cache's plans depend on it: with statistics sampled under an
//! `analysis_limit` the portfolio's first page at 100k incidents took
//! ~70 ms instead of ~1 ms, and before any analysis the MITRE filter once
//! took 1.8 s (measured with `crates/bench/examples/query_profile.rs`).
//! But the first open after a large sync analyzes every table: about 0.9 s
//! at 100k incidents, and on a mapped connection it left ~1 GB of the file
//! resident in the app's process. It used to run inside
//! [`super::Store::open`], in front of the app's first painted rows.
//!
//! Now it runs after the open ([`Store::refresh_statistics_in_background`],
//! which `Desk::open` calls once its own start-up writes are done: they
//! queued behind a refresh and held up the app's start by as long), on a
//! connection of its own that keeps few pages (so what it reads does not
//! stay in the process; no connection maps the file, see `MMAP_BYTES`).
//! While it runs it holds the writer's mutex: writes queue there as they
//! do behind any other write, instead of meeting SQLite's lock and its
//! busy timeout. Reads go on meanwhile, with the statistics of the last
//! analysis. Later opens find the statistics current and finish in about a
//! millisecond.

use std::path::Path;
use std::time::Instant;

use super::{Result, Store};

/// Page cache of the analysis connection, in KiB (SQLite's negative form).
const ANALYSIS_CACHE_KIB: i64 = -2 * 1024;

/// Starts the refresh for `store`; a failure to start or to finish is
/// logged, and the planner then works with the statistics it had.
pub(super) fn refresh_in_background(store: &Store) {
    let store = store.clone();
    let spawned = std::thread::Builder::new()
        .name("cache-statistics".into())
        .spawn(move || {
            let _queued = store.lock_writer();
            if let Err(error) = refresh(store.path()) {
                tracing::warn!(%error, "cache statistics not refreshed");
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cache statistics not refreshed");
    }
}

/// Runs `PRAGMA optimize` (every table, analyzing where SQLite sees fit)
/// on a fresh connection to `path`.
fn refresh(path: &Path) -> Result<()> {
    let started = Instant::now();
    let conn = super::open_connection(path, false)?;
    conn.pragma_update(None, "cache_size", ANALYSIS_CACHE_KIB)?;
    // 0x10000: consider every table, not only those this connection has
    // queried (it has queried none); 0x02: analyze where it would help.
    conn.execute_batch("PRAGMA optimize = 0x10002")?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "cache statistics refreshed"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    /// Whether `sqlite_stat1` describes the incidents table.
    fn incidents_analyzed(path: &Path) -> bool {
        let conn = Connection::open(path).unwrap();
        let has_stats: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'sqlite_stat1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if !has_stats {
            return false;
        }
        conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_stat1 WHERE tbl = 'incidents'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn a_table_filled_since_the_last_analysis_is_analyzed_after_the_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        drop(Store::open(&path).unwrap());
        // Rows written behind the store's back, as a sync of another
        // session would: no statistics describe them yet.
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
             INSERT INTO tenants (id, display_name, capability) SELECT 't' || i, 'T' || i, 'full'
             FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
             INSERT INTO incidents (tenant_id, id, display_name, severity, status, created_at,
                 last_update_at)
             SELECT 't' || (i % 500 + 1), 'i' || i, 'Incident ' || i, 'high', 'active',
                 strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch'),
                 strftime('%Y-%m-%dT%H:%M:%SZ', 1700000000 + i, 'unixepoch') FROM n;",
        )
        .unwrap();
        drop(conn);
        assert!(!incidents_analyzed(&path));

        let store = Store::open(&path).unwrap();
        store.refresh_statistics_in_background();

        // It runs on its own thread: wait for it, boundedly.
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        while !incidents_analyzed(&path) && Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(incidents_analyzed(&path), "no statistics after 20 s");
    }
}
