//! The SQLite cache: the only module that speaks SQL.
//!
//! The store keeps what sync pulled from Graph (tenants, incidents, alerts,
//! Secure Score), what the app itself produced (audit trail, local alerts,
//! sync runs) and non-secret settings, and answers the read models in
//! [`crate::views`]. It decides nothing about Graph or GDAP; `sync` and
//! `service` do, and call in here to persist or read.
//!
//! # Blocking
//!
//! rusqlite is synchronous and so is this API. Async callers run store
//! calls on the blocking pool (`tokio::task::spawn_blocking`), never
//! directly on a runtime worker.
//!
//! # Connections
//!
//! One writer connection sits behind a mutex; reads use a small pool of
//! separate connections, so a long pull transaction never holds up the
//! portfolio (WAL lets readers see the last committed state meanwhile).
//! [`Store`] is a cheap `Clone` handle over both.
//!
//! # Files
//!
//! - `migrations`: numbered, append-only schema steps.
//! - `codec`: how timestamps, enums and JSON sit in columns.
//! - `tenants`: the tenant list, skip state and per-tenant attempts.
//! - `pulls`: tenant pulls, each all or nothing; reconcile, watermarks.
//! - `group`: several pulls under one commit when they queue for the
//!   writer.
//! - `upserts`: incident and alert row writers, guarded by update time.
//! - `derived`: per-incident figures computed from its alerts.
//! - `local_alerts`: re-open alerts with dedupe keys.
//! - `portfolio`: the cross-tenant queue and its filters.
//! - `tally`, `tally_schema`: severity counts from the trigger-kept
//!   tallies, and their tables and triggers.
//! - `search_schema`: the full-text and technique indexes behind the
//!   portfolio's text and MITRE filters.
//! - `checkpoint`: the thread that copies the write-ahead log back.
//! - `statistics`: the planner's statistics, refreshed after each open.
//! - `panels`: incident detail and the per-tenant panels.
//! - `score`: Secure Score snapshots and recommendations.
//! - `runs`: sync runs and tenant health.
//! - `audit`, `settings`: the audit trail and JSON settings.
//!
//! Nothing secret is stored: no table has a column for a token or a
//! client secret.

mod audit;
mod checkpoint;
mod codec;
mod derived;
mod error;
mod group;
mod local_alerts;
mod migrations;
mod panels;
mod portfolio;
mod pulls;
mod rows;
mod runs;
mod score;
mod search_schema;
mod settings;
mod statistics;
mod tally;
mod tally_schema;
mod technique_tally;
mod tenants;
mod upserts;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

pub use audit::{NewAuditEntry, INTERRUPTED_OUTCOME, PENDING_OUTCOME};
pub use error::Error;
pub use group::MAX_WRITES as MAX_GROUPED_WRITES;
pub use pulls::{PullOutcome, Reopen, TenantPull, Watermark};
pub use runs::RunTotals;
pub use tenants::TenantOutcome;

/// The store's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// How long a connection waits on a lock held by another process (the CLI
/// and the app may share one cache file) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Idle read connections kept for reuse; more are opened under load and
/// closed when returned.
const MAX_IDLE_READERS: usize = 4;

/// Prepared statements kept per connection. The portfolio builds one SQL
/// text per filter shape, so this is larger than rusqlite's default.
const STATEMENT_CACHE: usize = 64;

/// Bytes of the cache file a connection maps: none. Mapped reads were
/// about a third faster on the portfolio page (0.9 against 1.2 ms at 100k
/// incidents), but every page they touch stays in the app's resident
/// memory, and the kernel maps the pages around each one read: counting
/// alerts per tenant for the Health badge through an index left 280 MB of
/// the file (mostly evidence that was never read) resident in the app.
/// Read through calls, pages sit in the OS's file cache instead, shared
/// and reclaimable, and the process keeps only SQLite's own page caches.
const MMAP_BYTES: i64 = 0;

/// Page cache per read connection, in KiB (SQLite's negative form).
const READER_CACHE_KIB: i64 = -16 * 1024;

/// Page cache of the writer, in KiB. A tenant pull walks the incident
/// table, six of its indexes, the tallies and the alert indexes; with
/// SQLite's 2 MB default those pages were read back from the file for
/// every pull of a large cache.
const WRITER_CACHE_KIB: i64 = -64 * 1024;

/// WAL pages after which a commit copies the log back into the file
/// itself. The checkpoint thread (`checkpoint`) normally does it long
/// before; this is the fallback, for when readers keep it from finishing.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 16_000;

/// Bytes the log file is cut back to once copied.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// A handle to the cache. It is `Clone + Send + Sync`: clones share the
/// same connections, so hand one to each thread or task that needs it.
/// Every method blocks on SQLite; from async code call it inside
/// `spawn_blocking`.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// The single writer. SQLite allows one writer at a time anyway; the
    /// mutex makes callers queue here instead of on SQLITE_BUSY.
    writer: Mutex<group::Writer>,
    /// Grouped writes (tenant pulls and their attempts) waiting for the
    /// writer's mutex: while there are any, the write holding it leaves
    /// its group open for them (see `group`).
    queued_writes: AtomicUsize,
    /// Copies the log back into the file off the writer's path.
    checkpointer: Option<checkpoint::Checkpointer>,
    /// Idle read connections. A reader is taken out for the length of one
    /// query and put back, so reads never wait on the writer's mutex.
    readers: Mutex<Vec<Connection>>,
    /// Nanoseconds the writer's mutex has been held since the store was
    /// opened: writes queue on it, so this is the serial part of a sync.
    writer_busy_ns: AtomicU64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the cache file at `path` and brings its
    /// schema up to date. The directory must already exist.
    pub fn open(path: &Path) -> Result<Store> {
        let mut writer = open_connection(path, false)?;
        migrations::migrate(&mut writer)?;
        let reader = open_connection(path, true)?;

        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: Mutex::new(group::Writer::new(writer)),
                queued_writes: AtomicUsize::new(0),
                checkpointer: checkpoint::Checkpointer::start(path),
                readers: Mutex::new(vec![reader]),
                writer_busy_ns: AtomicU64::new(0),
            }),
        })
    }

    /// Refreshes the query planner's statistics on a thread of its own,
    /// holding the writer meanwhile (see `statistics`). Call it once the
    /// writes that come with opening are done: a write queued behind the
    /// refresh waits for it, up to a second on a large cache.
    pub fn refresh_statistics_in_background(&self) {
        statistics::refresh_in_background(self);
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// How long the writer connection has been held, in total, since the
    /// store was opened. Every write queues on that one connection, so the
    /// growth of this figure over a sync is the part of it that no
    /// concurrency can shorten.
    pub fn writer_busy(&self) -> Duration {
        Duration::from_nanos(self.inner.writer_busy_ns.load(Ordering::Relaxed))
    }

    /// Commits made on the writer since the store was opened: one per
    /// write, and one per group of tenant pulls (see `group`).
    pub fn writer_commits(&self) -> u64 {
        self.lock_writer_as_is().commits
    }

    /// Runs `f` on the writer connection, with no transaction open on it:
    /// a group of pulls left open is committed first.
    fn write<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut writer = self.lock_writer_as_is();
        let held = Instant::now();
        writer.commit_group();
        let result = f(&mut writer.conn);
        writer.commits += 1;
        if result.is_ok() {
            // The write has committed; a failed flush only leaves incidents
            // marked stale, which searches still find (see `search_schema`).
            if let Err(error) = search_schema::flush(&mut writer.conn) {
                tracing::warn!(%error, "full-text index not brought up to date");
            }
        }
        self.nudge_checkpoint();
        drop(writer);
        self.add_writer_busy(held);
        result
    }

    /// Runs `f` inside the group of writes open on the writer (see
    /// `group`) and returns once the commit holding it has ended. `f` must
    /// not begin or end a transaction, and may run more than once: when a
    /// later write in its group fails, the group is rolled back and `f`
    /// runs again.
    fn write_grouped<T>(&self, mut f: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        loop {
            let queued = QueuedWrite::new(&self.inner.queued_writes);
            let mut writer = self.lock_writer_as_is();
            drop(queued);
            let held = Instant::now();
            let written = writer.write_grouped(&mut f);
            let more = self.inner.queued_writes.load(Ordering::SeqCst) > 0;
            writer.commit_unless_queued(more);
            self.nudge_checkpoint();
            drop(writer);
            self.add_writer_busy(held);

            let (value, commit) = written?;
            match commit.wait() {
                group::Ended::Committed => return Ok(value),
                group::Ended::Retry => continue,
                group::Ended::Failed(message) => return Err(Error::Commit(message)),
            }
        }
    }

    /// The writer with no group open on it, for work that needs the
    /// connection (or the file) to itself.
    fn lock_writer(&self) -> MutexGuard<'_, group::Writer> {
        let mut writer = self.lock_writer_as_is();
        writer.commit_group();
        writer
    }

    /// The writer as it is, maybe with a group of pulls open.
    fn lock_writer_as_is(&self) -> MutexGuard<'_, group::Writer> {
        // A panic while holding the lock leaves no half-written data: an
        // open group is rolled back here, before anyone writes again.
        self.inner.writer.lock().unwrap_or_else(|poisoned| {
            let mut writer = poisoned.into_inner();
            writer.recover();
            writer
        })
    }

    fn nudge_checkpoint(&self) {
        if let Some(checkpointer) = &self.inner.checkpointer {
            checkpointer.nudge();
        }
    }

    fn add_writer_busy(&self, since: Instant) {
        let nanos = u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.inner
            .writer_busy_ns
            .fetch_add(nanos, Ordering::Relaxed);
    }

    /// Runs `f` on a read connection from the pool.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.readers().pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_connection(&self.inner.path, true)?,
        };
        let result = f(&conn);

        let mut idle = self.readers();
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    fn readers(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.inner
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts a grouped write as queued for the writer from its creation to
/// its drop, so a panic cannot leave the count up.
struct QueuedWrite<'a>(&'a AtomicUsize);

impl<'a> QueuedWrite<'a> {
    fn new(count: &'a AtomicUsize) -> QueuedWrite<'a> {
        count.fetch_add(1, Ordering::SeqCst);
        QueuedWrite(count)
    }
}

impl Drop for QueuedWrite<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Opens one connection with the pragmas every connection needs.
fn open_connection(path: &Path, read_only: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);

    conn.pragma_update(None, "foreign_keys", true)?;
    if read_only {
        // WAL is a property of the file, set once by the writer.
        conn.pragma_update(None, "query_only", true)?;
        // Reads keep more pages than SQLite's 2 MB default: a tenant's
        // alerts (evidence included) alone are a few MB.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        conn.pragma_update(None, "cache_size", READER_CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
    } else {
        // NORMAL sync is safe under WAL: a killed process never loses a
        // commit; only a power cut may drop the last few.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
        // Statement journals (every upsert that fires a trigger has one)
        // stay in memory instead of a temporary file.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    }
    Ok(conn)
}
