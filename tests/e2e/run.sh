#!/usr/bin/env bash
# Runs the whole-app tests: the real Manage365 Desk binary under Xvfb, in a
# private D-Bus session with an unlocked GNOME Keyring (the real Secret
# Service) and dunst, driven through tauri-driver + WebKitWebDriver against
# a graph-sim process. Screenshots and logs land in e2e-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
export E2E_APP="$target/debug/manage365-desk"
export E2E_SIM="$target/debug/graph-sim"
export ART="$PWD/e2e-artifacts"
rm -rf "$ART"; mkdir -p "$ART"
for bin in "$E2E_APP" "$E2E_SIM"; do
  [ -x "$bin" ] || { echo "missing $bin: build it first" >&2; exit 1; }
done

# A throwaway home: the keyring and the app's folders stay out of the user's.
export HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)"
chmod 700 "$XDG_RUNTIME_DIR"
export PATH="$HOME/.cargo/bin:/root/.cargo/bin:$PATH"
python="$PWD/.venv-e2e/bin/python"

exec xvfb-run -a -s "-screen 0 1440x900x24 -nolisten tcp" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n e2e-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  dbus-monitor --session "interface=org.freedesktop.Notifications" > "$ART/notifications.log" 2>&1 &
  monitor=$!
  dunst -print > "$ART/dunst.log" 2>&1 &
  dunst=$!
  rc=0
  "$0" tests/e2e/test_app.py || rc=$?
  import -window root "$ART/final-screen.png" 2>/dev/null || true
  kill $dunst $monitor 2>/dev/null || true
  exit $rc
' "$python"
