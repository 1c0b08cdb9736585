//! Secure Score: daily snapshots (merged, so history accumulates beyond
//! what Graph returns in one pull) and recommendations (replaced on every
//! pull that brings them, so retired controls disappear).

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::codec::{get_bytes, get_ts, Ts};
use super::panels::ById;
use super::{Result, Store};
use crate::model::{Recommendation, ScoreSnapshot};
use crate::views::{TenantRecommendations, TenantSummary};

/// Writes a tenant's Secure Score data inside the caller's transaction.
pub(super) fn write(
    tx: &Connection,
    tenant_id: &str,
    snapshots: &[ScoreSnapshot],
    recommendations: &[Recommendation],
) -> Result<()> {
    let mut snapshot = tx.prepare_cached(
        "INSERT INTO score_snapshots (tenant_id, created_at, current_score, max_score) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tenant_id, created_at) DO UPDATE SET \
             current_score = excluded.current_score, max_score = excluded.max_score",
    )?;
    for s in snapshots {
        snapshot.execute(params![
            tenant_id,
            Ts(s.created_at),
            s.current_score,
            s.max_score
        ])?;
    }

    tx.prepare_cached("DELETE FROM recommendations WHERE tenant_id = ?1")?
        .execute([tenant_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO recommendations (tenant_id, id, title, category, service, current_score, \
             max_score, rank, action_type, tier, user_impact, implementation_cost, \
             remediation, action_url, portal_url, state, deprecated) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) \
         ON CONFLICT (tenant_id, id) DO NOTHING",
    )?;
    for r in recommendations {
        insert.execute(params![
            tenant_id,
            r.id,
            r.title,
            r.category,
            r.service,
            r.current_score,
            r.max_score,
            r.rank,
            r.action_type,
            r.tier,
            r.user_impact,
            r.implementation_cost,
            r.remediation,
            r.action_url,
            r.portal_url,
            r.state,
            r.deprecated,
        ])?;
    }
    Ok(())
}

fn snapshot(row: &Row<'_>) -> rusqlite::Result<ScoreSnapshot> {
    Ok(ScoreSnapshot {
        tenant_id: row.get(0)?,
        created_at: get_ts(row, 1)?,
        current_score: row.get(2)?,
        max_score: row.get(3)?,
    })
}

/// Days of Secure Score the tenant list draws per tenant: two weeks, as
/// its incident sparkline and as each pull fetches, ending at the
/// tenant's newest snapshot rather than today, so that a cache browsed
/// offline or a tenant whose pulls have failed for weeks still shows its
/// last known score. Snapshots are merged, so a tenant's history grows by
/// one a day for as long as it is synced; drawing all of it would make the
/// tenant list grow with the cache's age (at 500 tenants, a year of daily
/// history took it from ~7 to ~120 ms in `query_profile`; ~12 ms with
/// this window). Older snapshots stay in the cache.
const SCORE_TREND_DAYS: u64 = 14;

/// Adds to each summary its tenant's snapshots of the [`SCORE_TREND_DAYS`]
/// UTC days ending on the day of its newest one, oldest first: one query
/// for the whole tenant list, read in tenant order and merged into it (see
/// [`ById`]).
pub(super) fn add_trends(
    conn: &Connection,
    summaries: &mut [TenantSummary],
    by_id: &ById,
) -> Result<()> {
    // Per tenant in id order: one seek for its newest snapshot, then a
    // range of the trend index from the window's first day on. No sort,
    // and no row of an older day is read. Times are fixed-width UTC text,
    // so a day's date sorts before that day's times.
    let mut stmt = conn.prepare_cached(
        "SELECT s.tenant_id, s.created_at, s.current_score, s.max_score \
         FROM tenants t JOIN score_snapshots s ON s.tenant_id = t.id \
             AND s.created_at >= (SELECT date(max(m.created_at), ?1) \
                                  FROM score_snapshots m WHERE m.tenant_id = t.id) \
         ORDER BY t.id, s.created_at",
    )?;
    let mut rows = stmt.query([format!("-{} days", SCORE_TREND_DAYS - 1)])?;
    let mut cursor = 0;
    let mut tenant: Vec<u8> = Vec::new();
    let mut at: Option<usize> = None;
    while let Some(row) = rows.next()? {
        let id = get_bytes(row, 0)?;
        if id != tenant.as_slice() {
            tenant = id.to_vec();
            at = by_id.seek(summaries, &mut cursor, id);
        }
        // A hidden tenant's snapshots are not listed.
        let Some(at) = at else {
            continue;
        };
        let summary = &mut summaries[at];
        summary.score_trend.push(ScoreSnapshot {
            tenant_id: summary.tenant_id.clone(),
            created_at: get_ts(row, 1)?,
            current_score: row.get(2)?,
            max_score: row.get(3)?,
        });
    }
    Ok(())
}

fn recommendation(row: &Row<'_>) -> rusqlite::Result<Recommendation> {
    Ok(Recommendation {
        tenant_id: row.get(0)?,
        id: row.get(1)?,
        title: row.get(2)?,
        category: row.get(3)?,
        service: row.get(4)?,
        current_score: row.get(5)?,
        max_score: row.get(6)?,
        rank: row.get(7)?,
        action_type: row.get(8)?,
        tier: row.get(9)?,
        user_impact: row.get(10)?,
        implementation_cost: row.get(11)?,
        remediation: row.get(12)?,
        action_url: row.get(13)?,
        portal_url: row.get(14)?,
        state: row.get(15)?,
        deprecated: row.get(16)?,
    })
}

impl Store {
    /// A tenant's latest Secure Score and its improvement actions by rank
    /// (unranked last, then by title). Empty for hidden or unknown tenants.
    pub fn tenant_recommendations(&self, tenant_id: &str) -> Result<TenantRecommendations> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let mut latest = tx.prepare_cached(
                "SELECT s.tenant_id, s.created_at, s.current_score, s.max_score \
                 FROM score_snapshots s JOIN tenants t ON t.id = s.tenant_id AND t.present = 1 \
                 WHERE s.tenant_id = ?1 ORDER BY s.created_at DESC LIMIT 1",
            )?;
            let latest = latest.query_row([tenant_id], snapshot).optional()?;

            let mut items = tx.prepare_cached(
                "SELECT r.tenant_id, r.id, r.title, r.category, r.service, r.current_score, \
                     r.max_score, r.rank, r.action_type, r.tier, r.user_impact, \
                     r.implementation_cost, r.remediation, r.action_url, r.portal_url, \
                     r.state, r.deprecated \
                 FROM recommendations r JOIN tenants t ON t.id = r.tenant_id AND t.present = 1 \
                 WHERE r.tenant_id = ?1 \
                 ORDER BY r.rank IS NULL, r.rank, r.title COLLATE NOCASE, r.id",
            )?;
            let items = items
                .query_map([tenant_id], recommendation)?
                .collect::<rusqlite::Result<_>>()?;

            Ok(TenantRecommendations { latest, items })
        })
    }
}
