//! Every scenario at its small size, so the harness cannot rot. Only
//! completion and complete caches are checked (the scenarios fail on an
//! incomplete cache themselves); timing is never asserted here.

use manage365_bench::{run, Size, SCENARIOS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_completes_at_small_size_with_a_complete_cache() {
    for name in SCENARIOS {
        if name == "app" {
            // It runs the built desktop app, which `cargo test` does not
            // build: scripts/test-all.sh runs it after building the app.
            println!("app: run by scripts/test-all.sh once the app is built");
            continue;
        }
        let report = run(name, Size::Small)
            .await
            .unwrap_or_else(|e| panic!("scenario {name} failed: {e}"));
        println!("{report}");
        if name == "peer" && manage365_bench::peer::python().is_none() {
            println!("peer skipped: no Python with msgraph-sdk (see docs/benchmarks.md)");
            continue;
        }
        assert!(
            !report.figures.is_empty(),
            "scenario {name} printed no figures"
        );
    }
}
