//! `manage365-bench`: runs the benchmark scenarios and prints their figures
//! beside targets and references as Markdown.
//!
//! `cargo run --release -p manage365-bench -- --scenario all` produces the
//! figures of `docs/benchmarks.md`; `--small` is the CI size.

use clap::Parser;
use manage365_bench::{run, Size, SCENARIOS};

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    about = "Benchmarks of the Manage365 engine beside the Graph SDK peer and the physical bound"
)]
struct Args {
    /// full-sync, peer, steady, queries, app, growth, or all.
    #[arg(long, default_value = "all")]
    scenario: String,
    /// Tiny sizes (a few seconds each), as CI runs them.
    #[arg(long)]
    small: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env(
            "MANAGE365_BENCH_LOG",
        ))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let size = if args.small { Size::Small } else { Size::Full };
    let names: Vec<&str> = match args.scenario.as_str() {
        "all" => SCENARIOS.to_vec(),
        one => vec![one],
    };
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "manage365-bench: {profile} build, {} size, {} CPUs\n",
        if args.small { "small" } else { "full" },
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let mut failed = false;
    for name in names {
        match run(name, size).await {
            Ok(report) => println!("{report}"),
            Err(e) => {
                failed = true;
                eprintln!("scenario {name} failed: {e}");
            }
        }
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
