//! How values sit in columns: timestamps as fixed-width RFC 3339 text (so
//! text order is time order and the file stays readable), enums as their
//! product names, lists and evidence as JSON text.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::Row;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::Result;

/// A UTC timestamp column: `2024-05-01T09:30:00.000000000Z`. Always nine
/// fractional digits so that comparing the text compares the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ts(pub DateTime<Utc>);

/// Formats a timestamp the way columns hold it (for SQL built in Rust).
pub(crate) fn ts_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

impl ToSql for Ts {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(ts_text(&self.0)))
    }
}

impl FromSql for Ts {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        DateTime::parse_from_rfc3339(text)
            .map(|at| Ts(at.with_timezone(&Utc)))
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// Binds an optional timestamp.
pub(crate) fn opt_ts(at: Option<DateTime<Utc>>) -> Option<Ts> {
    at.map(Ts)
}

/// Reads a timestamp column.
pub(crate) fn get_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    Ok(row.get::<_, Ts>(idx)?.0)
}

/// Reads a text column's bytes without copying or checking them.
pub(crate) fn get_bytes<'a>(row: &'a Row<'_>, idx: usize) -> rusqlite::Result<&'a [u8]> {
    row.get_ref(idx)?.as_bytes().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a nullable timestamp column.
pub(crate) fn get_opt_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(row.get::<_, Option<Ts>>(idx)?.map(|ts| ts.0))
}

/// Encodes a value as JSON text for a column.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    Ok(serde_json::to_string(value)?)
}

/// Reads a JSON text column. A value that no longer parses surfaces as a
/// conversion error naming the column, not as a panic.
pub(crate) fn get_json<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Reads a nullable JSON text column.
pub(crate) fn get_opt_json<T: DeserializeOwned>(
    row: &Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(_) => get_json(row, idx).map(Some),
    }
}

/// Reads a nullable product-enum column with its `from_product` parser.
pub(crate) fn get_opt_enum<T>(
    row: &Row<'_>,
    idx: usize,
    parse: fn(&str) -> T,
) -> rusqlite::Result<Option<T>> {
    Ok(row.get::<_, Option<String>>(idx)?.map(|text| parse(&text)))
}

/// Reads a non-null product-enum column.
pub(crate) fn get_enum<T>(row: &Row<'_>, idx: usize, parse: fn(&str) -> T) -> rusqlite::Result<T> {
    Ok(parse(&row.get::<_, String>(idx)?))
}

/// Escapes `%`, `_` and the escape character itself for `LIKE ... ESCAPE
/// '\'`, so user text matches literally.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamp_text_sorts_like_time() {
        let early = Utc.with_ymd_and_hms(2024, 5, 1, 9, 30, 0).unwrap();
        let late = early + chrono::Duration::nanoseconds(100);

        assert!(
            ts_text(&early) < ts_text(&late),
            "text order should follow time order"
        );
        assert_eq!(ts_text(&early), "2024-05-01T09:30:00.000000000Z");
    }

    #[test]
    fn like_escape_makes_wildcards_literal() {
        assert_eq!(like_escape(r"50%_off\now"), r"50\%\_off\\now");
    }
}
