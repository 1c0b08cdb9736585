//! The startup time in the log: the process's start is taken at the very
//! beginning of [`crate::run`], and the web UI reports once, when the
//! portfolio's first page of rows is on screen, so the log answers "how
//! long did the app take to show incidents" on every analyst's machine
//! (and the benchmark harness reads the same line).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tauri::State;
use tracing::{debug, info};

/// When the process started, and whether the first paint was reported.
#[derive(Debug)]
pub struct StartupMark {
    started: Instant,
    painted: AtomicBool,
}

impl StartupMark {
    /// Starts the clock; call first thing in the process.
    pub fn now() -> Self {
        StartupMark {
            started: Instant::now(),
            painted: AtomicBool::new(false),
        }
    }

    /// The time since start on the first call, `None` on every later one:
    /// a reload of the page or a second window must not move the mark.
    pub fn first_paint(&self) -> Option<Duration> {
        let first = !self.painted.swap(true, Ordering::SeqCst);
        first.then(|| self.started.elapsed())
    }
}

/// The UI's report that the portfolio's first `rows` rows were painted,
/// `page_ms` after the page's navigation started and `script_ms` after
/// its scripts began to run (both by the page's clock): what the process
/// spent before the page, loading it, and in the app's own code.
#[tauri::command]
pub fn mark_first_rows_painted(
    mark: State<'_, StartupMark>,
    rows: u32,
    page_ms: Option<u64>,
    script_ms: Option<u64>,
) {
    match mark.first_paint() {
        Some(elapsed) => {
            let since_start_ms = elapsed.as_millis() as u64;
            info!(
                since_start_ms,
                rows, page_ms, script_ms, "first portfolio rows painted"
            );
        }
        None => debug!(rows, "first rows already marked; ignored"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_paint_is_timed() {
        let mark = StartupMark::now();
        std::thread::sleep(Duration::from_millis(5));
        let first = mark.first_paint().expect("the first call is timed");
        assert!(first >= Duration::from_millis(5));
        assert_eq!(mark.first_paint(), None);
        assert_eq!(mark.first_paint(), None);
    }
}
