//! Benchmarks of the Manage365 engine, each run beside its reference in
//! the same process so that machine noise cancels out of the ratios.
//!
//! Every scenario starts its own graph-sim on loopback, drives the engine
//! through [`manage365_core::service::Desk`] exactly as the app does, and
//! returns a [`Report`]: figures, each beside its target and its reference.
//! The figures in `docs/benchmarks.md` come from one run of
//! `cargo run --release -p manage365-bench -- --scenario all`.
//!
//! - [`world`]: the simulated world, a Desk connected to it, request logs.
//! - [`bound`]: the lower bound a full sync cannot beat.
//! - [`cpu`]: the process's CPU time, the floor the cores set.
//! - [`scale`]: caches larger than one simulator holds, by copying tenants.
//! - [`full_sync`], [`peer`], [`steady`], [`queries`], [`app`], [`growth`]:
//!   scenarios 1 to 6 of the benchmark issue.

pub mod app;
pub mod bound;
pub mod cpu;
pub mod full_sync;
pub mod growth;
pub mod peer;
pub mod queries;
pub mod report;
pub mod scale;
pub mod steady;
pub mod world;

pub use report::{Figure, Report};

/// Everything that can stop a scenario.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The engine refused or failed.
    #[error("engine: {0}")]
    Engine(#[from] manage365_core::Error),
    /// The simulator, a socket or a file.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// Talking to the simulator's control API.
    #[error("simulator control API: {0}")]
    Control(#[from] reqwest::Error),
    /// Reading the cache file directly.
    #[error("cache: {0}")]
    Cache(#[from] rusqlite::Error),
    /// The peer script failed or printed something unreadable.
    #[error("peer: {0}")]
    Peer(String),
    /// A scenario ended with an incomplete cache or wrong data.
    #[error("check failed: {0}")]
    Check(String),
}

/// The result type of every scenario.
pub type Result<T> = std::result::Result<T, BenchError>;

/// How big a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// The sizes the issue names (500 tenants, 100k incidents, ...).
    Full,
    /// A few seconds per scenario, for CI in debug builds.
    Small,
}

impl Size {
    /// Picks `full` or `small`.
    pub fn pick<T>(self, full: T, small: T) -> T {
        match self {
            Size::Full => full,
            Size::Small => small,
        }
    }
}

/// The scenarios by name, in the order `all` runs them.
pub const SCENARIOS: [&str; 6] = ["full-sync", "peer", "steady", "queries", "app", "growth"];

/// Runs one scenario by its command-line name.
pub async fn run(name: &str, size: Size) -> Result<Report> {
    match name {
        "full-sync" => full_sync::run(size).await,
        "peer" => peer::run(size).await,
        "steady" => steady::run(size).await,
        "queries" => queries::run(size).await,
        "app" => app::run(size).await,
        "growth" => growth::run(size).await,
        other => Err(BenchError::Check(format!("unknown scenario {other:?}"))),
    }
}
