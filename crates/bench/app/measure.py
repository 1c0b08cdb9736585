"""Scenario 5 inside the session run.sh prepares (Xvfb, D-Bus, unlocked
keyring holding the client secret): the desktop app's cold start to its
first painted portfolio rows, and the memory of all its processes.

Timed runs spawn the app binary directly and wait for the app's own log
line "first portfolio rows painted". The scroll run starts the app through
tauri-driver so the page can be read (first and last rows, scroll range),
and scrolls with real wheel events from xdotool. Prints one JSON object.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

from session import (Failed, app_env, check_session, fresh_data, memory, page_times, stop, tree,
                     wait_mark)


def timed_run(args, closed_port):
    data = fresh_data(args)
    load = os.getloadavg()[0]
    err = open(os.path.join(args.work, "app-stderr.log"), "w")
    started = time.monotonic()
    app = subprocess.Popen([args.app], env=app_env(data, closed_port),
                           stdin=subprocess.DEVNULL, stdout=err, stderr=err)
    try:
        since_start_ms, rows = wait_mark(lambda: app.poll() is None, started + args.timeout)
        wall_ms = (time.monotonic() - started) * 1000
        page_ms, script_ms = page_times()
        time.sleep(2)
        loaded = memory(app.pid, data)
        check_session(time.monotonic() + 10)
    finally:
        stop(tree(app.pid))
    return {"wall_ms": wall_ms, "since_start_ms": since_start_ms, "rows": rows, "memory": loaded,
            "load": load, "page_ms": page_ms, "script_ms": script_ms}


def scroll_tools():
    missing = [t for t in ("tauri-driver", "WebKitWebDriver", "xdotool") if not shutil.which(t)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append(f"selenium (for {sys.executable})")
    return missing


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--app", required=True)
    p.add_argument("--cache", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", action="store_true")
    p.add_argument("--expect", required=True, help="JSON: total, first and last rows")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--out", required=True, help="where the JSON result goes")
    args = p.parse_args()
    expect = json.loads(args.expect)
    # Bound but never listening: connecting is refused, so Graph is "off".
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    result = {"runs": [], "scroll": None, "scroll_missing": scroll_tools()}
    try:
        if args.warmup:
            timed_run(args, closed_port)
        for _ in range(args.runs):
            result["runs"].append(timed_run(args, closed_port))
        if not result["scroll_missing"]:
            from scroll import scroll_run
            result["scroll"] = scroll_run(args, expect, closed_port)
    except Failed as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)
    # Not stdout: D-Bus services started in the session print there too.
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
