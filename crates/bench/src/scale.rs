//! Larger caches than one simulator can hold: a synced cache's tenants
//! copied under new ids.
//!
//! The simulator keeps its whole world in memory as JSON trees, about 6 GB
//! at 500 tenants × 200 incidents × 3 alerts; 2,000 tenants of that would
//! not fit in this machine's 24 GB. Scenario 6 therefore builds its
//! 2,000-tenant cache from a synced 500-tenant one, each tenant copied
//! under new ids, so every copy has the simulator's data and shape. The
//! copies go through plain INSERTs, so the cache's own triggers keep its
//! tallies and indexes exactly as a sync would.

use std::path::Path;

use rusqlite::Connection;

use crate::Result;

/// Tables copied per tenant, parents first (foreign keys and triggers look
/// for the incident of an alert and the alert of a technique), with the
/// column holding the tenant id. Tallies, the full-text keys and the
/// technique index are maintained by triggers and not copied.
const TENANT_TABLES: &[(&str, &str)] = &[
    ("tenants", "id"),
    ("incidents", "tenant_id"),
    ("alerts", "tenant_id"),
    ("alert_techniques", "tenant_id"),
    ("recommendations", "tenant_id"),
    ("score_snapshots", "tenant_id"),
    ("watermarks", "tenant_id"),
    ("known_upns", "tenant_id"),
];

/// Adds `copies` copies of every tenant of the cache in `data_dir` (tenant
/// id suffixed `-copy-<n>`, name suffixed ` (copy <n>)`), in one
/// transaction per copy.
pub fn copy_tenants(data_dir: &Path, copies: usize) -> Result<()> {
    let mut conn = Connection::open(data_dir.join("manage365.db"))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -256 * 1024)?;
    for n in 1..=copies {
        let tx = conn.transaction()?;
        for (table, tenant_column) in TENANT_TABLES {
            tx.execute_batch(&copy_sql(&tx, table, tenant_column, n)?)?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// `INSERT INTO table SELECT ...` with the tenant id (and a tenant's name)
/// rewritten for copy `n`, and only the original tenants' rows read.
fn copy_sql(conn: &Connection, table: &str, tenant_column: &str, n: usize) -> Result<String> {
    let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    let columns: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let suffix = format!("-copy-{n}");
    let select: Vec<String> = columns
        .iter()
        .map(|c| {
            if c == tenant_column {
                format!("{c} || '{suffix}'")
            } else if table == "tenants" && c == "display_name" {
                format!("{c} || ' (copy {n})'")
            } else {
                c.clone()
            }
        })
        .collect();
    Ok(format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE {tenant_column} NOT LIKE '%-copy-%'",
        columns.join(", "),
        select.join(", ")
    ))
}
