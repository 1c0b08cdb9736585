//! Group commit: several tenant pulls written under one commit.
//!
//! A sync finishes the reads of many tenants at about the same moment, and
//! every pull then waits its turn on the one writer connection. Committed
//! one by one, each pull wrote its own copy of the pages the pulls share
//! (the time-ordered incident indexes, the tallies, the full-text index)
//! into the log, and that writing was most of the writer's time.
//!
//! Here a write that sees other grouped writes queued for the writer
//! leaves its transaction open; the next one writes into the same
//! transaction, and the one that finds no one queued (or fills the group
//! to [`MAX_WRITES`]) commits them all. No write returns before the commit
//! that holds it has ended, and a failed commit fails every write in it,
//! so a caller never reports data that is not in the file. A killed
//! process loses the open group whole and every tenant in it keeps its
//! previous data, as with one transaction a pull.
//!
//! A write that fails rolls the whole group back (a savepoint per write
//! would undo just its own, but SQLite then copies every page a write
//! touches into a statement journal, which cost more than grouping
//! saved), returns its error, and the writes before it in the group run
//! again in a new one: each of them is still waiting on the commit, with
//! its data at hand. Any other write commits an open group before it
//! starts, so it finds no transaction open on the connection.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use rusqlite::Connection;

use super::{search_schema, Result};

/// The most writes one commit holds. A tenant's pull is a few hundred rows
/// and a few MB of pages; sixteen of them fit the writer's page cache, and
/// the first of them does not wait long for its commit.
pub const MAX_WRITES: usize = 16;

/// The writer connection and the group open on it, if any.
pub(super) struct Writer {
    pub(super) conn: Connection,
    open: Option<Open>,
    /// Commits made since the store was opened, groups and single writes.
    pub(super) commits: u64,
}

/// A transaction left open for the writes queued behind the ones in it.
struct Open {
    commit: Arc<Commit>,
    writes: usize,
}

/// How a group ended, awaited by each write in it.
#[derive(Default)]
pub(super) struct Commit {
    ended: Mutex<Option<Ended>>,
    signal: Condvar,
}

/// The end of a group, as its writes see it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ended {
    /// Committed: the write is in the file.
    Committed,
    /// Rolled back because a later write in the group failed (or one
    /// panicked): the write runs again, in a new group.
    Retry,
    /// The commit failed or SQLite dropped the transaction: nothing of
    /// the group was kept.
    Failed(String),
}

impl Commit {
    fn end(&self, how: Ended) {
        *self.ended.lock().unwrap_or_else(PoisonError::into_inner) = Some(how);
        self.signal.notify_all();
    }

    /// Blocks until the group has ended.
    pub(super) fn wait(&self) -> Ended {
        let mut ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match &*ended {
                Some(how) => return how.clone(),
                None => {
                    ended = self
                        .signal
                        .wait(ended)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }
}

impl Writer {
    pub(super) fn new(conn: Connection) -> Writer {
        Writer {
            conn,
            open: None,
            commits: 0,
        }
    }

    /// Writes `f` into the open group, starting one if none is open, and
    /// returns its value with the commit to wait on. If `f` fails, the
    /// group is rolled back whole: `f`'s error is returned, and the writes
    /// written before it are told to write again (see [`Ended::Retry`]).
    pub(super) fn write_grouped<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<(T, Arc<Commit>)> {
        if self.open.is_none() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
            self.open = Some(Open {
                commit: Arc::default(),
                writes: 0,
            });
        }
        // A panic in `f` leaves the group's earlier writes waiting on its
        // commit: roll it back (they run again) before the panic goes on,
        // so none of them waits for a next write that may never come.
        let written = std::panic::catch_unwind(AssertUnwindSafe(|| f(&self.conn)));
        let written = match written {
            Ok(written) => written,
            Err(panic) => {
                self.roll_back(Ended::Retry);
                std::panic::resume_unwind(panic);
            }
        };
        match written {
            Ok(value) => {
                let open = self.open.as_mut().expect("a group is open");
                open.writes += 1;
                Ok((value, Arc::clone(&open.commit)))
            }
            Err(error) => {
                self.roll_back(Ended::Retry);
                Err(error)
            }
        }
    }

    /// Commits the open group when no more writes are queued for the
    /// writer or the group is full; otherwise leaves it to them.
    pub(super) fn commit_unless_queued(&mut self, queued: bool) {
        let full = self
            .open
            .as_ref()
            .is_some_and(|open| open.writes >= MAX_WRITES);
        if !queued || full {
            self.commit_group();
        }
    }

    /// Commits the open group, if any, and tells its writes how it went.
    pub(super) fn commit_group(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        // In the group's transaction: no commit of its own. A failure
        // leaves the incidents listed as stale, which searches still find.
        if let Err(error) = search_schema::flush_within(&self.conn) {
            tracing::warn!(%error, "full-text index not brought up to date");
        }
        let ended = match self.conn.execute_batch("COMMIT") {
            Ok(()) => Ended::Committed,
            Err(error) => {
                tracing::warn!(%error, writes = open.writes, "cache commit failed");
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
                Ended::Failed(error.to_string())
            }
        };
        self.commits += 1;
        open.commit.end(ended);
    }

    /// Rolls back the open group after a write panicked on it, so the next
    /// write starts clean; its writes run again. Called when the writer's
    /// mutex was found poisoned.
    pub(super) fn recover(&mut self) {
        self.roll_back(Ended::Retry);
    }

    /// Rolls back the open group, if any, and tells its writes `how` it
    /// ended. SQLite may have ended the transaction itself already (on a
    /// full disk or an I/O error); its writes then run again all the same.
    fn roll_back(&mut self, how: Ended) {
        if self.conn.is_autocommit() {
            // Already gone, or never begun.
        } else if let Err(error) = self.conn.execute_batch("ROLLBACK") {
            tracing::warn!(%error, "cache rollback failed");
        }
        if let Some(open) = self.open.take() {
            if open.writes > 0 {
                tracing::debug!(writes = open.writes, "cache write group rolled back");
            }
            open.commit.end(how);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use chrono::{TimeZone, Utc};
    use rusqlite::Connection;

    use super::super::{migrations, Error, Store, TenantPull};
    use super::{Ended, Writer};
    use crate::model::{Capability, Incident, IncidentStatus, Severity, Tenant};

    fn store(tenants: &[&str]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("cache.sqlite")).unwrap();
        let tenants: Vec<Tenant> = tenants
            .iter()
            .map(|id| Tenant {
                id: id.to_string(),
                display_name: format!("Tenant {id}"),
                domains: vec![],
                capability: Capability::Manage,
                skip_reason: None,
            })
            .collect();
        store.sync_tenants(&tenants).unwrap();
        (dir, store)
    }

    fn pull(tenant_id: &str) -> TenantPull {
        let at = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
        TenantPull {
            tenant_id: tenant_id.into(),
            full: true,
            pulled_at: at,
            incidents: vec![Incident {
                tenant_id: tenant_id.into(),
                id: "1".into(),
                display_name: format!("Phishing at {tenant_id}"),
                description: None,
                severity: Severity::High,
                status: IncidentStatus::Active,
                classification: None,
                determination: None,
                assigned_to: None,
                created_at: at,
                last_update_at: at,
                web_url: None,
                redirect_incident_id: None,
                custom_tags: vec![],
                system_tags: vec![],
                comments: vec![],
            }],
            alerts: vec![],
            secure_score: None,
            watermark: Some(at),
        }
    }

    /// Applies every pull on a thread of its own, all of them queued for
    /// the writer (held here meanwhile) before the first may write.
    fn apply_queued(store: &Store, pulls: Vec<TenantPull>) -> Vec<super::Result<()>> {
        let expected = pulls.len();
        let held = store.lock_writer();
        let threads: Vec<_> = pulls
            .into_iter()
            .map(|pull| {
                let store = store.clone();
                std::thread::spawn(move || store.apply_pull(&pull).map(|_| ()))
            })
            .collect();
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.inner.queued_writes.load(Ordering::SeqCst) < expected {
            assert!(Instant::now() < deadline, "the pulls never queued");
            std::thread::sleep(Duration::from_millis(2));
        }
        drop(held);
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    #[test]
    fn queued_pulls_share_one_commit() {
        let tenants = ["t1", "t2", "t3", "t4", "t5", "t6"];
        let (_dir, store) = store(&tenants);
        let before = store.writer_commits();

        let results = apply_queued(&store, tenants.iter().map(|t| pull(t)).collect());

        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(
            store.writer_commits() - before,
            1,
            "one commit for six pulls"
        );
        for t in tenants {
            assert!(store.incident(t, "1").unwrap().is_some(), "{t} written");
        }
    }

    #[test]
    fn a_failing_pull_fails_alone_and_the_rest_of_its_group_is_written() {
        let tenants = ["t1", "t2", "t3", "t4", "t5"];
        let (_dir, store) = store(&tenants);
        // An unknown tenant fails on its first insert (foreign key), in
        // whatever place of the group its thread gets the writer.
        let mut pulls: Vec<TenantPull> = tenants.iter().map(|t| pull(t)).collect();
        pulls.insert(2, pull("nobody"));

        let results = apply_queued(&store, pulls);

        assert!(matches!(results[2], Err(Error::Sqlite(_))), "{results:?}");
        let others = results.iter().enumerate().filter(|(i, _)| *i != 2);
        assert!(others.clone().all(|(_, r)| r.is_ok()), "{results:?}");
        for t in tenants {
            assert!(store.incident(t, "1").unwrap().is_some(), "{t} written");
        }
        assert!(store.incident("nobody", "1").unwrap().is_none());
    }

    fn writer(dir: &tempfile::TempDir) -> Writer {
        let mut conn = Connection::open(dir.path().join("cache.sqlite")).unwrap();
        migrations::migrate(&mut conn).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER NOT NULL);")
            .unwrap();
        Writer::new(conn)
    }

    fn insert(x: Option<i64>) -> impl FnOnce(&Connection) -> super::Result<()> {
        move |conn| {
            conn.execute("INSERT INTO t VALUES (?1)", [x])?;
            Ok(())
        }
    }

    fn count(dir: &tempfile::TempDir) -> i64 {
        let reader = Connection::open(dir.path().join("cache.sqlite")).unwrap();
        reader
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_group_left_open_is_seen_by_no_one_until_it_commits() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = writer(&dir);

        let ((), first) = writer.write_grouped(insert(Some(1))).unwrap();
        writer.commit_unless_queued(true);
        let ((), second) = writer.write_grouped(insert(Some(2))).unwrap();
        writer.commit_unless_queued(true);
        assert_eq!(count(&dir), 0, "still open: others are queued");

        writer.commit_unless_queued(false);
        assert_eq!(count(&dir), 2);
        assert_eq!(first.wait(), Ended::Committed);
        assert_eq!(second.wait(), Ended::Committed);
        assert_eq!(writer.commits, 1);
    }

    #[test]
    fn a_failed_write_rolls_its_group_back_and_sends_the_others_round_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = writer(&dir);

        let ((), first) = writer.write_grouped(insert(Some(1))).unwrap();
        let failed = writer.write_grouped(insert(None));

        assert!(matches!(failed, Err(Error::Sqlite(_))), "NOT NULL refuses");
        assert_eq!(first.wait(), Ended::Retry);
        assert!(writer.conn.is_autocommit(), "no transaction left open");
        // The first write runs again, in a group of its own.
        let ((), again) = writer.write_grouped(insert(Some(1))).unwrap();
        writer.commit_unless_queued(false);
        assert_eq!(again.wait(), Ended::Committed);
        assert_eq!(count(&dir), 1);
    }

    #[test]
    fn a_panicking_write_sends_the_others_of_its_group_round_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = writer(&dir);
        let ((), first) = writer.write_grouped(insert(Some(1))).unwrap();
        writer.commit_unless_queued(true);

        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            writer.write_grouped(|_| -> super::Result<()> { panic!("a bug in a write") })
        }));

        // Checked before waiting: a group left open would make the wait
        // below block instead of fail.
        assert!(panicked.is_err());
        assert!(writer.conn.is_autocommit(), "no transaction left open");
        assert!(writer.open.is_none(), "no group left open");
        assert_eq!(count(&dir), 0);
        assert_eq!(first.wait(), Ended::Retry, "not left waiting");
    }

    #[test]
    fn a_full_group_commits_even_with_writes_queued() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = writer(&dir);

        for i in 0..super::MAX_WRITES {
            writer.write_grouped(insert(Some(i as i64))).unwrap();
            writer.commit_unless_queued(true);
        }

        assert_eq!(count(&dir), super::MAX_WRITES as i64);
        assert_eq!(writer.commits, 1);
    }
}
