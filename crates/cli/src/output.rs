//! Printing service results: JSON with `--json`, else short text tables a
//! person can scan in a terminal.

use chrono::{DateTime, Utc};
use manage365_core::views::{
    AuditEntry, Health, IncidentDetail, IncidentRow, LocalAlert, PortfolioPage, RemediationReport,
    SyncRunSummary, TenantAlerts, TenantRecommendations,
};
use manage365_core::Error;
use serde::Serialize;

/// Prints in the format the user asked for.
pub struct Printer {
    /// Machine-readable JSON instead of text.
    pub json: bool,
}

type Done = Result<(), Error>;

impl Printer {
    fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce() -> String) -> Done {
        if self.json {
            let body = serde_json::to_string_pretty(value).expect("views serialize");
            println!("{body}");
        } else {
            print!("{}", text());
        }
        Ok(())
    }

    pub fn run(&self, run: &SyncRunSummary) -> Done {
        self.emit(run, || {
            format!(
                "sync {}: {} tenants synced, {} skipped, {} failed; {} incidents, {} alerts, \
                 {} requests\n",
                run.outcome,
                run.tenants_ok,
                run.tenants_skipped,
                run.tenants_failed,
                run.incidents,
                run.alerts,
                run.requests
            )
        })
    }

    pub fn page(&self, page: &PortfolioPage) -> Done {
        self.emit(page, || {
            let mut out = String::new();
            for row in &page.items {
                out.push_str(&incident_line(row));
            }
            let c = &page.counts;
            out.push_str(&format!(
                "{} incidents (high {}, medium {}, low {}, informational {}) across {} tenants\n",
                page.total, c.high, c.medium, c.low, c.informational, page.tenant_count
            ));
            for s in &page.skipped {
                out.push_str(&format!("{}  {}\n", s.tenant_name, s.label));
            }
            if let Some(at) = page.last_synced_at {
                out.push_str(&format!("data as of {}\n", time(at)));
            }
            out
        })
    }

    pub fn alerts(&self, alerts: &TenantAlerts) -> Done {
        self.emit(alerts, || {
            let mut out = String::new();
            for group in &alerts.by_incident {
                out.push_str(&format!(
                    "incident {}  {}\n",
                    group.incident_id, group.display_name
                ));
                for a in &group.alerts {
                    out.push_str(&format!(
                        "  {:<13} {:<9} {:<22} {}\n",
                        a.severity,
                        a.status,
                        a.mitre_techniques.join(","),
                        a.title
                    ));
                }
            }
            if !alerts.standalone.is_empty() {
                out.push_str("standalone alerts\n");
                for a in &alerts.standalone {
                    out.push_str(&format!(
                        "  {:<13} {:<9} {}\n",
                        a.severity, a.status, a.title
                    ));
                }
            }
            out
        })
    }

    pub fn recommendations(&self, recs: &TenantRecommendations) -> Done {
        self.emit(recs, || {
            let mut out = String::new();
            if let Some(latest) = &recs.latest {
                out.push_str(&format!(
                    "secure score {:.1} of {:.1}\n",
                    latest.current_score, latest.max_score
                ));
            }
            for r in &recs.items {
                let score = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
                out.push_str(&format!(
                    "{:>4} {:>6}/{:<6} {}  {}\n",
                    r.rank.map_or("-".to_string(), |r| r.to_string()),
                    score(r.current_score),
                    score(r.max_score),
                    r.title,
                    r.portal_url
                ));
            }
            out
        })
    }

    pub fn detail(&self, detail: &IncidentDetail) -> Done {
        self.emit(detail, || {
            let i = &detail.incident;
            format!(
                "incident {} in {}: {}\nstatus {}, classification {}, determination {}, \
                 assigned to {}\n",
                i.id,
                detail.row.tenant_name,
                i.display_name,
                i.status,
                opt(i.classification.as_ref()),
                opt(i.determination.as_ref()),
                i.assigned_to.as_deref().unwrap_or("nobody"),
            )
        })
    }

    pub fn health(&self, health: &Health) -> Done {
        self.emit(health, || {
            let s = &health.scheduler;
            let mut out = format!(
                "scheduler {}{}, last run {}\n",
                s.state,
                if s.offline { " (offline)" } else { "" },
                s.last_tick_at.map_or("never".into(), time)
            );
            out.push_str(&format!("{} tenants skipped\n", health.skipped.len()));
            for t in &health.skipped {
                out.push_str(&format!("  {}  {}: {}\n", t.tenant_name, t.label, t.fix));
            }
            for t in health.tenants.iter().filter(|t| t.last_error.is_some()) {
                out.push_str(&format!(
                    "  {} failed: {}\n",
                    t.tenant_name,
                    t.last_error.as_deref().unwrap_or_default()
                ));
            }
            out
        })
    }

    pub fn audit(&self, entries: &[AuditEntry]) -> Done {
        self.emit(&entries, || {
            entries
                .iter()
                .map(|e| {
                    format!(
                        "{}  {} {} {} -> {} ({})  request-id {}\n",
                        time(e.at),
                        e.actor,
                        e.method,
                        e.path,
                        e.status.map_or("no answer".into(), |s| s.to_string()),
                        e.outcome,
                        e.request_id.as_deref().unwrap_or("-")
                    )
                })
                .collect()
        })
    }

    /// Each step's outcome; the temporary password goes to stdout only,
    /// this once.
    pub fn remediation(&self, report: &RemediationReport) -> Done {
        self.emit(report, || {
            let mut out = format!(
                "remediation of {} in {}\n",
                report.user_principal_name, report.tenant_id
            );
            for step in &report.steps {
                let name = step.step.to_string();
                out.push_str(&format!(
                    "  {name:<17} {:<8} {}\n",
                    step.outcome, step.message
                ));
                for line in &step.details {
                    out.push_str(&format!("      {line}\n"));
                }
                if let Some(password) = &step.temporary_password {
                    out.push_str(&format!(
                        "      temporary password (shown once, not stored): {password}\n"
                    ));
                }
            }
            out
        })
    }

    pub fn local_alerts(&self, alerts: &[LocalAlert]) -> Done {
        self.emit(&alerts, || {
            alerts
                .iter()
                .map(|a| {
                    format!(
                        "{}  {:<7} {}  [{}]\n",
                        time(a.raised_at),
                        a.severity,
                        a.message,
                        a.dedupe_key
                    )
                })
                .collect()
        })
    }
}

fn incident_line(row: &IncidentRow) -> String {
    format!(
        "{}  {:<13} {:<11} {:<24} {:>3} alerts  {}  {}\n",
        time(row.created_at),
        row.severity,
        row.status,
        row.tenant_name,
        row.alert_count,
        row.display_name,
        row.assigned_to.as_deref().unwrap_or("")
    )
}

fn opt<T: std::fmt::Display>(value: Option<&T>) -> String {
    value.map_or("none".to_string(), ToString::to_string)
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}
