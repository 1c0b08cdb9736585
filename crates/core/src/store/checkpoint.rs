//! Copies the write-ahead log back into the cache file on a thread of its
//! own.
//!
//! With SQLite's automatic checkpoints the commit that crosses the log's
//! size limit copies it back, on the writer connection. During a sync the
//! writer stores one tenant pull after another and every tenant waits on
//! it, so that copy (tens of MB of evidence) held up all of them. Here the
//! writer only nudges this thread after each write; the thread runs a
//! passive checkpoint, which never waits for the writer or the readers and
//! copies what it can. The writer keeps a high automatic limit as a
//! fallback for when readers pin the log.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::Duration;

use rusqlite::Connection;

/// The least time between two checkpoints: long enough to copy many
/// commits at once, short enough that the log stays a few MB.
const PAUSE: Duration = Duration::from_millis(250);

/// Handle to the checkpoint thread; dropping it ends the thread.
pub(super) struct Checkpointer {
    wake: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread with its own connection to the file at `path`.
    /// `None` (with a warning) if it cannot: the writer's automatic
    /// checkpoints then do the work, only slower.
    pub(super) fn start(path: &Path) -> Option<Checkpointer> {
        let conn = match super::open_connection(path, false) {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "no cache checkpoint thread");
                return None;
            }
        };
        // One pending nudge is enough: nudges during a checkpoint collapse.
        let (wake, nudges) = mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("cache-checkpoint".into())
            .spawn(move || run(&conn, &nudges));
        if let Err(error) = spawned {
            tracing::warn!(%error, "no cache checkpoint thread");
            return None;
        }
        Some(Checkpointer { wake })
    }

    /// Asks for a checkpoint soon; never blocks.
    pub(super) fn nudge(&self) {
        match self.wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::warn!("cache checkpoint thread has stopped");
            }
        }
    }
}

fn run(conn: &Connection, nudges: &Receiver<()>) {
    // Ends when the store (the only sender) is dropped.
    while nudges.recv().is_ok() {
        let copied = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
        });
        match copied {
            Ok((log, done)) => tracing::trace!(log, done, "cache checkpoint"),
            Err(error) => tracing::warn!(%error, "cache checkpoint failed"),
        }
        std::thread::sleep(PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nudge_copies_the_log_back_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let writer = super::super::open_connection(&path, false).unwrap();
        writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        writer
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(100000));")
            .unwrap();
        let file_len = || std::fs::metadata(&path).unwrap().len();
        assert!(file_len() < 100_000, "the rows are still only in the log");
        let checkpointer = Checkpointer::start(&path).unwrap();

        checkpointer.nudge();

        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while file_len() < 100_000 {
            assert!(std::time::Instant::now() < deadline, "never copied");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
