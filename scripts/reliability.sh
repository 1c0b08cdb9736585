#!/usr/bin/env bash
# The long reliability run: the fault, crash, bad-input, hostile-content,
# secrets and boundary suites at full size (RELIABILITY_FULL=1), then
# docs/reliability.md rewritten from the figures lines they print.
#
#   bash scripts/reliability.sh            # full sizes (several minutes)
#   RELIABILITY_FULL=0 bash scripts/reliability.sh   # the CI sizes
#
# CI runs the small sizes as part of `cargo test` (scripts/test-all.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/manage365-target}"
export RELIABILITY_FULL="${RELIABILITY_FULL:-1}"

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
cargo build -p graph-sim --bin graph-sim
# One test at a time: the suites time things and kill processes.
cargo test -p manage365-core --test reliability -- --nocapture --test-threads=1 2>&1 | tee -a "$out" || status=1
cargo test -p manage365-cli --test crash --test bad_args -- --nocapture --test-threads=1 2>&1 | tee -a "$out" || status=1
# The desktop part: hostile content in the real webview, secrets in the
# app's files, logs and IPC answers, malformed IPC input (tests/e2e).
npm --prefix ui run build
cargo build -p manage365-desk
bash tests/e2e/run.sh 2>&1 | tee -a "$out" || status=1

size=$([ "$RELIABILITY_FULL" = 1 ] && echo "full" || echo "small (CI)")
{
  echo "# Reliability and security figures"
  echo
  echo "Written by \`bash scripts/reliability.sh\` — do not edit by hand."
  echo "Run: $(date -u +%Y-%m-%dT%H:%M:%SZ), sizes: $size, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)'),"
  echo "machine: $(uname -sm), $(nproc 2>/dev/null || echo '?') cores. Result: $([ $status = 0 ] && echo 'every suite passed' || echo '**a suite failed, see its output**')."
  echo
  echo "| suite | figures |"
  echo "|---|---|"
  # libtest prints "test name ... " before a test's output on the same line.
  grep -aoE 'reliability [a-z-]+: [a-z_]+=.*' "$out" | sed -E 's/^reliability ([a-z-]+): (.*)$/| \1 | `\2` |/'
  echo
  sed -n '/^<!-- notes -->$/,$p' docs/reliability-notes.md 2>/dev/null | tail -n +2
} > docs/reliability.md.new
mv docs/reliability.md.new docs/reliability.md
echo "docs/reliability.md updated"
exit $status
