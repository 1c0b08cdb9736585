//! The audit trail: every outbound write to Graph (or a refusal made
//! locally) with Microsoft's answer. Nothing here deletes an entry.
//!
//! A write is audited ahead: its entry is stored with outcome
//! [`PENDING_OUTCOME`] before the request leaves, and completed once with
//! the answer. A process killed in between leaves the entry pending; the
//! next start marks it [`INTERRUPTED_OUTCOME`]. So an update Graph
//! received is never missing from the trail, whenever the app dies.
//! Callers must not put tokens in `path` or the bodies; the store keeps
//! what it is given.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};
use serde::{Deserialize, Serialize};

use super::codec::{get_opt_json, get_ts, to_json, Ts};
use super::{Result, Store};
use crate::views::AuditEntry;

/// Outcome of an entry whose request is about to be, or being, sent.
pub const PENDING_OUTCOME: &str = "pending: sent, answer not yet recorded";

/// Outcome of an entry left pending by a process that stopped mid-call.
pub const INTERRUPTED_OUTCOME: &str = "interrupted: the app stopped before Microsoft's answer \
     was recorded; the change may or may not have been applied, check the incident";

/// Entries returned when the caller passes a limit of 0.
const DEFAULT_LIMIT: u32 = 200;

/// An audit entry about to be written: [`AuditEntry`] without its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAuditEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who asked (the signed-in analyst, or `cli` / `app`).
    pub actor: String,
    /// Tenant.
    pub tenant_id: String,
    /// Incident, when the call concerned one.
    pub incident_id: Option<String>,
    /// `update_incident`, `add_comment`, `refused_update`, ...
    pub action: String,
    /// HTTP method sent (empty when refused locally).
    pub method: String,
    /// URL path and query sent (no host, never a token).
    pub path: String,
    /// JSON body sent.
    pub request_body: Option<serde_json::Value>,
    /// HTTP status received, if any.
    pub status: Option<u16>,
    /// Graph's `request-id`.
    pub request_id: Option<String>,
    /// The body Microsoft answered.
    pub response_body: Option<serde_json::Value>,
    /// The outcome in words.
    pub outcome: String,
}

fn audit_entry(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.get(0)?,
        at: get_ts(row, 1)?,
        actor: row.get(2)?,
        tenant_id: row.get(3)?,
        incident_id: row.get(4)?,
        action: row.get(5)?,
        method: row.get(6)?,
        path: row.get(7)?,
        request_body: get_opt_json(row, 8)?,
        status: row.get(9)?,
        request_id: row.get(10)?,
        response_body: get_opt_json(row, 11)?,
        outcome: row.get(12)?,
    })
}

/// Entries newest first, optionally for one tenant and one incident.
pub(super) fn query_audit(
    conn: &Connection,
    tenant_id: Option<&str>,
    incident_id: Option<&str>,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    let mut clauses = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(tenant) = tenant_id {
        params.push(tenant.to_string().into());
        clauses.push(format!("tenant_id = ?{}", params.len()));
    }
    if let Some(incident) = incident_id {
        params.push(incident.to_string().into());
        clauses.push(format!("incident_id = ?{}", params.len()));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
    params.push(i64::from(limit).into());

    let sql = format!(
        "SELECT id, at, actor, tenant_id, incident_id, action, method, path, request_body, \
             status, request_id, response_body, outcome \
         FROM audit_log {filter} ORDER BY id DESC LIMIT ?{}",
        params.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), audit_entry)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Appends an entry and returns its id.
    pub fn append_audit(&self, entry: &NewAuditEntry) -> Result<i64> {
        let request_body = entry.request_body.as_ref().map(to_json).transpose()?;
        let response_body = entry.response_body.as_ref().map(to_json).transpose()?;
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "INSERT INTO audit_log (at, actor, tenant_id, incident_id, action, method, path, \
                     request_body, status, request_id, response_body, outcome) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            stmt.execute(params![
                Ts(entry.at),
                entry.actor,
                entry.tenant_id,
                entry.incident_id,
                entry.action,
                entry.method,
                entry.path,
                request_body,
                entry.status,
                entry.request_id,
                response_body,
                entry.outcome,
            ])?;
            Ok(conn.last_insert_rowid())
        })
    }

    /// Completes an entry written ahead of its call: what was really sent
    /// (method, path, body) and what came back.
    pub fn complete_audit(&self, id: i64, entry: &NewAuditEntry) -> Result<()> {
        let request_body = entry.request_body.as_ref().map(to_json).transpose()?;
        let response_body = entry.response_body.as_ref().map(to_json).transpose()?;
        self.write(|conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE audit_log SET method = ?2, path = ?3, request_body = ?4, status = ?5, \
                     request_id = ?6, response_body = ?7, outcome = ?8 WHERE id = ?1",
            )?;
            stmt.execute(params![
                id,
                entry.method,
                entry.path,
                request_body,
                entry.status,
                entry.request_id,
                response_body,
                entry.outcome,
            ])?;
            Ok(())
        })
    }

    /// Marks entries a killed process left pending as interrupted;
    /// returns how many there were. Call once at start, before any write.
    pub fn close_pending_audits(&self) -> Result<usize> {
        self.write(|conn| {
            let mut stmt =
                conn.prepare_cached("UPDATE audit_log SET outcome = ?2 WHERE outcome = ?1")?;
            Ok(stmt.execute(params![PENDING_OUTCOME, INTERRUPTED_OUTCOME])?)
        })
    }

    /// Audit entries newest first (by insertion), optionally narrowed to a
    /// tenant and an incident; `limit` 0 means 200. Entries about hidden
    /// tenants are kept and shown: the trail records what was done.
    pub fn audit(
        &self,
        tenant_id: Option<&str>,
        incident_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        self.read(|conn| query_audit(conn, tenant_id, incident_id, limit))
    }
}
