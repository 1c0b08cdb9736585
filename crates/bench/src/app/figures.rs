//! The figures and notes of scenario 5 from what `measure.py` measured.

use std::path::Path;

use super::{Answer, Memory, Run, Scroll, MEMORY_TARGET_MB, START_TARGET_S};
use crate::report::{Figure, Report};

/// Megabytes (10^6 bytes) from kB.
fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

fn memory_value(m: &Memory) -> String {
    format!(
        "PSS {:.0} MB (RSS {:.0} MB), {} processes",
        mb(m.pss),
        mb(m.rss),
        m.processes.len()
    )
}

/// PSS by kind and by process.
fn split(m: &Memory) -> String {
    let by_process: Vec<String> = m
        .processes
        .iter()
        .map(|(name, pss)| format!("{name} {:.0}", mb(*pss)))
        .collect();
    format!(
        "anon {:.0} / file {:.0} (of which the cache file {:.0}) / shmem {:.0} MB; by process: {} MB",
        mb(m.pss_anon),
        mb(m.pss_file),
        mb(m.pss_cache),
        mb(m.pss_shmem),
        by_process.join(", ")
    )
}

/// Median and worst of `values` (sorted in place).
fn median_worst(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (values[values.len() / 2], values[values.len() - 1])
}

/// Cold start and memory after load, from the directly spawned runs.
pub(super) fn start(report: &mut Report, runs: &[Run]) {
    let mut wall: Vec<f64> = runs.iter().map(|r| r.wall_ms / 1000.0).collect();
    let mut inside: Vec<f64> = runs
        .iter()
        .map(|r| r.since_start_ms as f64 / 1000.0)
        .collect();
    let (median, worst) = median_worst(&mut wall);
    let (in_median, in_worst) = median_worst(&mut inside);
    report.push(
        Figure::info(
            format!(
                "cold start to first rows painted ({} run{})",
                runs.len(),
                if runs.len() == 1 { "" } else { "s" }
            ),
            format!("median {median:.2} s · worst {worst:.2} s"),
        )
        .target("≤ 1.0 s", worst <= START_TARGET_S)
        .reference(format!(
            "in-app since_start_ms: median {in_median:.2} s · worst {in_worst:.2} s{}",
            page_split(runs)
        )),
    );
    let mut pss: Vec<f64> = runs.iter().map(|r| mb(r.memory.pss)).collect();
    let (pss_median, pss_worst) = median_worst(&mut pss);
    let middle = runs
        .iter()
        .min_by(|a, b| {
            (mb(a.memory.pss) - pss_median)
                .abs()
                .total_cmp(&(mb(b.memory.pss) - pss_median).abs())
        })
        .expect("at least one run");
    report.push(
        Figure::info(
            "memory after load (2 s after the mark, median run)",
            memory_value(&middle.memory),
        )
        .target("≤ 250 MB", pss_worst <= MEMORY_TARGET_MB)
        .reference(format!(
            "PSS {}; worst run {pss_worst:.0} MB",
            split(&middle.memory)
        )),
    );
}

/// Where the median run's time went, from the page's own clock: before
/// the page (process, window, web process), loading it, the app's code.
fn page_split(runs: &[Run]) -> String {
    let mut spans: Vec<(u64, u64, u64)> = runs
        .iter()
        .filter_map(|r| {
            let (page, script) = (r.page_ms?, r.script_ms?);
            Some((
                r.since_start_ms.saturating_sub(page),
                script,
                page.saturating_sub(script),
            ))
        })
        .collect();
    if spans.is_empty() {
        return String::new();
    }
    spans.sort_by_key(|&(before, script, app)| before + script + app);
    let (before, script, app) = spans[spans.len() / 2];
    format!(
        "; of the median run: {before} ms before the page started, {script} ms loading it until \
         its scripts ran, {app} ms in the app's code to the painted rows"
    )
}

/// Memory after scrolling, from the run through tauri-driver.
pub(super) fn scroll(report: &mut Report, scroll: &Scroll, total: u64) {
    report.push(
        Figure::info(
            format!("memory after scrolling all {total} rows"),
            memory_value(&scroll.scrolled),
        )
        .target("≤ 250 MB", mb(scroll.scrolled.pss) <= MEMORY_TARGET_MB)
        .reference(format!(
            "same run after load: {}; PSS now {}",
            memory_value(&scroll.loaded),
            split(&scroll.scrolled)
        )),
    );
    report.push(Figure::info(
        "scroll to the last row",
        format!(
            "{} wheel clicks in {:.0} s; all {} pages of rows passed through view",
            scroll.scroll.clicks, scroll.scroll.seconds, scroll.pages
        ),
    ));
    if scroll.reloads > 0 {
        report.note(format!(
            "during the scroll run {} offline retries of the sync (one a minute) finished; an \
             offline run leaves the list's rows as they are",
            scroll.reloads
        ));
    }
    if !scroll.unfetched.is_empty() {
        report.note(format!(
            "{} of {} pages did not show their rows within 5 s when jumped to after the scroll \
             (the list keeps the pages near the view and reads the others again)",
            scroll.unfetched.len(),
            scroll.pages
        ));
    }
    if !scroll.idle {
        report
            .note("the app did not go idle within 5 minutes after the scroll; memory read anyway");
    }
}

/// The scroll run could not be made: say what is missing.
pub(super) fn scroll_missing(report: &mut Report, missing: &[String]) {
    report.push(Figure::info("memory after scrolling", "not measured").target("≤ 250 MB", false));
    report.note(format!(
        "after-scroll memory not measured: missing {}",
        missing.join(", ")
    ));
}

/// Nothing could be measured: say what is missing.
pub(super) fn not_measured(report: &mut Report, missing: &[String]) {
    report.push(
        Figure::info("cold start to first rows painted", "not measured").target("≤ 1.0 s", false),
    );
    report.push(
        Figure::info("memory after load / after scrolling", "not measured")
            .target("≤ 250 MB", false),
    );
    report.note(format!("not measured: missing {}", missing.join(", ")));
}

/// How the figures were made.
pub(super) fn notes(report: &mut Report, binary: &Path, profile: &str, answer: &Answer) {
    let rows: Vec<String> = answer.runs.iter().map(|r| r.rows.to_string()).collect();
    let loads: Vec<String> = answer
        .runs
        .iter()
        .map(|r| format!("{:.1}", r.load))
        .collect();
    let processes = answer
        .runs
        .first()
        .map(|r| {
            let names: Vec<&str> = r.memory.processes.iter().map(|(n, _)| n.as_str()).collect();
            names.join(", ")
        })
        .unwrap_or_default();
    report.note(format!(
        "{profile} app binary {}; cold start = wall time from spawning the process to the app's \
         log line \"first portfolio rows painted\" (rows painted per run: {}; load average before \
         each run: {}); the file cache is warm (an untimed launch first at full size, the cache \
         copied afresh before each run); every run starts with no app folders in a throwaway HOME",
        binary.display(),
        rows.join(", "),
        loads.join(", ")
    ));
    report.note(format!(
        "the app opens in connected mode (client secret in GNOME Keyring through the Secret \
         Service) with Graph and login on a closed loopback port: its first sync ends offline and \
         the cached tenants are shown; the scroll run checks the first and last rows against the \
         cache. Memory = sum over the app and its descendants ({processes}); targets are judged on \
         PSS (shared pages split between processes), RSS beside it; 1 MB = 10^6 bytes"
    ));
    report.note(
        "after-scroll memory comes from a separate run started through tauri-driver (so the page \
         can be read; WebDriver automation is on in that run, compare its after-load figure), \
         scrolled with xdotool wheel clicks over the grid in paced batches until the last row \
         shows, read once the app is idle; a page-by-page check then jumps to every page and \
         lists those whose rows did not show",
    );
}
