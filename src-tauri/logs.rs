//! Logging: a daily rolling file in the app's log folder, and stderr in
//! debug builds. `MANAGE365_LOG` sets the filter (default `info`).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Starts logging into `dir`. Keep the guard alive for the app's life: it
/// flushes the file writer on drop.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env("MANAGE365_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let (file_layer, guard) = match std::fs::create_dir_all(dir) {
        Ok(()) => {
            let appender = tracing_appender::rolling::daily(dir, "manage365-desk.log");
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = fmt::layer()
                .with_writer(writer)
                .with_ansi(false)
                .with_filter(filter());
            (Some(layer), Some(guard))
        }
        Err(_) => (None, None),
    };
    let stderr = cfg!(debug_assertions).then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    let _ = tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr)
        .try_init();
    guard
}
