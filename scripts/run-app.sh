#!/usr/bin/env bash
# Installs what is missing, builds the web UI and opens Manage365 Desk.
# With no Microsoft credentials it opens on built-in demo tenants.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm --prefix ui run build
exec cargo run --locked -p manage365-desk "$@"
