"""The scroll run: the app started through tauri-driver (so the page can be
read), memory after load, then the whole portfolio scrolled to its last row
with real wheel events from xdotool, memory again once the app is idle, and
a check that every page of rows shows when jumped to."""

import os
import socket
import subprocess
import time

from session import (Failed, app_env, fresh_data, log_text, memory, stop, tree, wait_idle,
                     wait_mark)

# Rows per fetched page in the UI (ui/src/lib/logic/filters.ts PAGE_SIZE).
PAGE_ROWS = 200
# Wheel clicks per batch and the pause between clicks. WebKit scrolls
# smoothly and on its own thread, so a burst of clicks lands in the page as
# one jump; each batch (40 x ~86 px, under a 6,000 px page) is let settle
# before the next, so every page passes through the view.
CLICKS = 40
CLICK_DELAY_MS = 4


GRID = "const g = document.getElementById('incident-grid');"
POSITION = GRID + "return g ? [g.scrollTop, g.scrollHeight, g.clientHeight] : null;"
ROW_TEXT = GRID + """
const r = g && g.querySelector(`[data-row="${arguments[0]}"]`);
return r && !r.querySelector('.loading') ? r.textContent : null;"""
# Records, on every scroll event, the pages whose rows entered the view:
# proof that the scroll went through every page rather than jumping.
WATCH = GRID + """
const [pageRows, total] = arguments;
const head = g.querySelector('[aria-rowindex="1"]').offsetHeight;
const rowHeight = (g.scrollHeight - head) / total;
const seen = new Set();
const note = () => {
  const a = Math.floor(g.scrollTop / rowHeight / pageRows);
  const bottom = (g.scrollTop + g.clientHeight - head) / rowHeight - 1;
  const b = Math.min(Math.floor(bottom / pageRows), Math.ceil(total / pageRows) - 1);
  for (let p = a; p <= b; p++) seen.add(p);
};
note();
g.addEventListener('scroll', note, { passive: true });
window.__benchPagesUnseen = () =>
  Array.from({ length: Math.ceil(total / pageRows) }, (_, p) => p).filter((p) => !seen.has(p));"""
# Jumps to each page in turn and lists those whose rows do not show within
# 5 s (placeholders instead of incidents). The list keeps only the pages
# near the view, so a jump far away reads that page again; it must arrive.
UNFETCHED = GRID + """
const [pageRows, total, done] = arguments;
const head = g.querySelector('[aria-rowindex="1"]').offsetHeight;
const rowHeight = (g.scrollHeight - head) / total;
const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
(async () => {
  const missing = [];
  for (let p = 0; p * pageRows < total; p++) {
    g.scrollTop = p * pageRows * rowHeight;
    const until = performance.now() + 5000;
    await frame(); await frame();
    while (g.querySelector('.loading') && performance.now() < until) await frame();
    if (g.querySelector('.loading')) missing.push(p);
  }
  done(missing);
})();"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise Failed(f"tauri-driver did not listen on {port}")


def app_pid(driver_pid, binary):
    """The app process WebKitWebDriver started under tauri-driver."""
    want = os.path.realpath(binary)
    for pid in tree(driver_pid):
        try:
            if os.readlink(f"/proc/{pid}/exe") == want:
                return pid
        except OSError:
            continue
    raise Failed("tauri-driver started no app process")


def wait_row(d, index, row, timeout):
    """Waits until row `index` shows the expected incident; fails if not."""
    deadline = time.monotonic() + timeout
    text = None
    while time.monotonic() < deadline:
        text = d.execute_script(ROW_TEXT, index)
        if text:
            break
        time.sleep(0.1)
    if not text or row["tenantName"] not in text or row["displayName"] not in text:
        raise Failed(f"row {index} shows {text!r}, the cache has {row}")


def scroll_to_end(d, app, deadline):
    """Wheel clicks over the grid until its last pixel is in view."""
    rect = d.execute_script(
        GRID + "const r = g.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];")
    window = subprocess.check_output(
        ["xdotool", "search", "--onlyvisible", "--pid", str(app)], text=True).split()[0]
    x, y = int(rect[0] + rect[2] / 2), int(rect[1] + rect[3] / 2)
    subprocess.run(["xdotool", "mousemove", "--window", window, str(x), str(y)], check=True)
    clicks, last, stalls, started = 0, -1, 0, time.monotonic()
    while True:
        subprocess.run(["xdotool", "click", "--repeat", str(CLICKS), "--delay",
                        str(CLICK_DELAY_MS), "5"], check=True)
        clicks += CLICKS
        top, height, client = settled(d)
        if top + client >= height - 1:
            return {"clicks": clicks, "seconds": time.monotonic() - started,
                    "scroll_height": height}
        stalls = stalls + 1 if top == last else 0
        if stalls >= 10 or time.monotonic() > deadline:
            raise Failed(f"scrolling stopped at {top} of {height} px after {clicks} clicks")
        last = top


def settled(d):
    """The grid's scroll position once it stopped moving."""
    position = d.execute_script(POSITION)
    for _ in range(100):
        time.sleep(0.03)
        now = d.execute_script(POSITION)
        if now == position:
            break
        position = now
    return position


def scroll_run(args, expect, closed_port):
    from selenium import webdriver
    from selenium.webdriver.common.options import ArgOptions

    data = fresh_data(args)
    port, native = free_port(), free_port()
    driver = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native)],
        env=app_env(data, closed_port), stdin=subprocess.DEVNULL,
        stdout=open(os.path.join(args.work, "tauri-driver.log"), "w"), stderr=subprocess.STDOUT)
    try:
        wait_port(port)
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": args.app})
        d = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=opts)
        try:
            return drive(d, args, expect, app_pid(driver.pid, args.app), data)
        finally:
            d.quit()
    finally:
        stop(tree(driver.pid))


def drive(d, args, expect, app, data):
    """Memory after load, the scroll, memory after it, the page check."""
    started = time.monotonic()
    since_start_ms, rows = wait_mark(lambda: os.path.exists(f"/proc/{app}"),
                                     started + args.timeout)
    time.sleep(2)
    loaded = memory(app, data)
    total = expect["total"]
    wait_row(d, 0, expect["first"], 30)
    rowcount = int(d.execute_script(GRID + "return g.getAttribute('aria-rowcount');"))
    if rowcount != total + 1:
        raise Failed(f"the grid lists {rowcount - 1} rows, the cache holds {total}")
    pages = -(-total // PAGE_ROWS)
    d.execute_script(WATCH, PAGE_ROWS, total)
    scrolled = scroll_to_end(d, app, time.monotonic() + args.timeout * 10)
    wait_row(d, total - 1, expect["last"], 300)
    unseen = d.execute_script("return window.__benchPagesUnseen();")
    if unseen:
        raise Failed(f"the scroll jumped over pages {unseen[:20]} ({len(unseen)} of {pages})")
    idle = wait_idle(app, 300)
    scrolled_mem = memory(app, data)
    d.set_script_timeout(1800)
    unfetched = d.execute_async_script(UNFETCHED, PAGE_ROWS, total)
    return {"since_start_ms": since_start_ms, "rows": rows, "loaded": loaded,
            "scrolled": scrolled_mem, "scroll": scrolled, "idle": idle, "pages": pages,
            "unfetched": unfetched, "reloads": log_text().count("sync finished") - 1}
