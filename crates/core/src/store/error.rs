//! The store's error type: what can go wrong between the engine and the
//! cache file.

/// Cache failures.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused or failed a statement (including constraint
    /// violations and unreadable stored values).
    #[error("cache database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A schema migration step failed; the cache is left at the version
    /// before it.
    #[error("cache migration {version} failed: {source}")]
    Migration {
        /// The migration number that failed.
        version: u32,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The cache file was written by a newer build of the app.
    #[error(
        "cache schema version {found} is newer than this build knows ({known}); \
         update the app or remove the cache file"
    )]
    SchemaTooNew {
        /// The version in the file.
        found: u32,
        /// The newest version this build knows.
        known: u32,
    },
    /// A value could not be turned into or read from JSON.
    #[error("cache JSON error: {0}")]
    Json(#[from] serde_json::Error),
    /// The commit holding a write failed, or the transaction it was in
    /// was rolled back: nothing of the write was kept.
    #[error("cache commit failed: {0}")]
    Commit(String),
    /// The caller handed the store something inconsistent, e.g. a pull for
    /// one tenant carrying another tenant's rows. Nothing was written.
    #[error("invalid cache write: {0}")]
    Invalid(String),
}
