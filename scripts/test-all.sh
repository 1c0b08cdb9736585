#!/usr/bin/env bash
# Installs what is missing, then runs every check and test CI runs: the UI's
# type check, unit and browser tests; rustfmt, clippy and the Rust tests;
# the Windows compile check; and the whole app end to end under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST_TOOLS=1 bash scripts/setup.sh

# One shared build folder outside the clone, reused between runs.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/manage365-target}"
export CARGO_TERM_COLOR=never
step() { printf '\n==> %s\n' "$*"; }

step "web UI: format, lint, type check, unit tests, build"
npm --prefix ui run format:check
npm --prefix ui run lint
npm --prefix ui run check
npm --prefix ui test
npm --prefix ui run build

step "web UI: pages in headless chromium"
npm --prefix ui run test:browser

step "rust: format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "rust: tests"
cargo test --workspace --locked

step "windows: compile check"
if rustup target list --installed 2>/dev/null | grep -q x86_64-pc-windows-gnu; then
  cargo check --workspace --locked --target x86_64-pc-windows-gnu
else
  echo "skipped: the x86_64-pc-windows-gnu target is not installed"
fi

step "end to end: the real app under Xvfb against graph-sim"
cargo build --locked -p manage365-desk -p graph-sim
bash tests/e2e/run.sh

step "benchmark: the app's cold start and memory, small size (fails if no rows are painted)"
cargo run --locked -p manage365-bench -- --scenario app --small
