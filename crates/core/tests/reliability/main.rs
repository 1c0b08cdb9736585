//! Reliability and security suites of the engine against graph-sim over
//! loopback, each ending in one figures line (`reliability <suite>: ...`)
//! that `scripts/reliability.sh` collects into `docs/reliability.md`.
//!
//! Small sizes by default (CI); `RELIABILITY_FULL=1` runs the full sizes.
//! The crash suite lives with the CLI (`crates/cli/tests/crash.rs`)
//! because it kills a real process.

#[path = "../common/logs.rs"]
mod captured;

mod bad_input;
mod boundaries;
mod checker;
mod faults;
mod hostile;
mod secrets;
mod support;
