#!/usr/bin/env bash
# Installs what building, running and testing Manage365 Desk needs on a
# Debian/Ubuntu machine, idempotently: a second run installs nothing.
#   WITH_TEST_TOOLS=1  also the headless test tools (Xvfb, WebKitWebDriver,
#                      chromium, tauri-driver, selenium)
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
BUILD_PKGS=(build-essential pkg-config curl file libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev
  libsoup-3.0-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev libxdo-dev
  libdbus-1-dev nodejs npm)
TEST_PKGS=(xvfb xauth x11-utils imagemagick dbus dbus-x11 webkit2gtk-driver dunst libnotify-bin
  gnome-keyring libsecret-tools fonts-dejavu-core chromium gcc-mingw-w64-x86-64 python3-venv sqlite3
  xdotool)

want=("${BUILD_PKGS[@]}")
[ "${WITH_TEST_TOOLS:-0}" = 1 ] && want+=("${TEST_PKGS[@]}")
missing=()
for p in "${want[@]}"; do
  # node/npm may come from elsewhere (nvm, the image): only install when absent
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The web UI's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm ci --prefix ui --no-audit --no-fund
fi

if [ "${WITH_TEST_TOOLS:-0}" = 1 ]; then
  command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
  if [ ! -x .venv-e2e/bin/python ]; then
    python3 -m venv .venv-e2e
  fi
  .venv-e2e/bin/python -c 'import selenium' 2>/dev/null \
    || .venv-e2e/bin/pip install -q 'selenium>=4.20,<5'
  # The benchmark's peer: Microsoft's Graph SDK for Python (crates/bench).
  if [ ! -x crates/bench/.venv/bin/python ]; then
    python3 -m venv crates/bench/.venv
  fi
  crates/bench/.venv/bin/python -c 'import msgraph' 2>/dev/null \
    || crates/bench/.venv/bin/pip install -q -r crates/bench/peer/requirements.txt
  if ! rustup target list --installed 2>/dev/null | grep -q x86_64-pc-windows-gnu; then
    rustup target add x86_64-pc-windows-gnu \
      || echo "setup: could not add the Windows target; the Windows check will be skipped"
  fi
fi
