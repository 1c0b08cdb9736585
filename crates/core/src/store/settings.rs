//! Non-secret settings as JSON values under string keys. Secrets live in
//! the OS keychain (`auth`), never here.

use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::codec::to_json;
use super::{Result, Store};

impl Store {
    /// The value stored under `key`, if any.
    pub fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let text: Option<String> = self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?;
            Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
        })?;
        Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub fn set_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = to_json(value)?;
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?;
            stmt.execute(params![key, text])?;
            Ok(())
        })
    }
}
