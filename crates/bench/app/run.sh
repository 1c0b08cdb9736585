#!/usr/bin/env bash
# Scenario 5's session: a throwaway HOME, Xvfb, a private D-Bus session and
# an unlocked GNOME Keyring (the real Secret Service), the client secret
# stored there from stdin (never a file), then measure.py.
#   run.sh <client id> <python> <measure.py args...>   (secret on stdin)
set -euo pipefail
client_id=${1:?client id}
python=${2:?python}
shift 2
here="$(cd "$(dirname "$0")" && pwd)"

# The app's folders and the keyring stay out of the user's own.
HOME="$(mktemp -d)"
XDG_RUNTIME_DIR="$(mktemp -d)"
export HOME XDG_RUNTIME_DIR
chmod 700 "$XDG_RUNTIME_DIR"
unset XDG_DATA_HOME XDG_CONFIG_HOME XDG_CACHE_HOME AZURE_CLIENT_ID AZURE_TENANT_ID AZURE_CLIENT_SECRET
trap 'rm -rf "$HOME" "$XDG_RUNTIME_DIR"' EXIT

xvfb-run -a -s "-screen 0 1440x900x24 -nolisten tcp" dbus-run-session -- bash -c '
  set -euo pipefail
  client_id=$1 python=$2 here=$3
  shift 3
  echo -n bench-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  # Where zbus-secret-service-keyring-store looks the secret up
  # (crates/core/src/auth/keychain.rs): service and username attributes.
  secret-tool store --label="Manage365 Desk client secret" \
    service com.manage365.desk username "client-secret:$client_id"
  exec "$python" "$here/measure.py" "$@" </dev/null
' run "$client_id" "$python" "$here" "$@"
