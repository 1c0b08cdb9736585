"""Plumbing shared by measure.py and scroll.py: the app's folders and log,
its environment, its process tree and that tree's memory."""

import glob
import os
import re
import shutil
import time

APP_ID = "com.manage365.desk"
MARK = re.compile(r"first portfolio rows painted.*since_start_ms=(\d+).*rows=(\d+)")
# The page's own clock in the same line (absent from older builds).
PAGE_TIMES = re.compile(r"first portfolio rows painted.*page_ms=(\d+).*script_ms=(\d+)")
TICKS = os.sysconf("SC_CLK_TCK")


class Failed(Exception):
    """The app did not do what the scenario needs; the run is void."""


def app_dirs():
    home = os.environ["HOME"]
    return [os.path.join(home, p, APP_ID) for p in (".local/share", ".config", ".cache")]


def log_text():
    pattern = os.path.join(os.environ["HOME"], ".local/share", APP_ID, "logs", "*.log*")
    return "".join(open(f, errors="replace").read() for f in sorted(glob.glob(pattern)))


def fresh_data(args):
    """A fresh copy of the cache and no app folders: every run starts alike."""
    for d in app_dirs():
        shutil.rmtree(d, ignore_errors=True)
    data = os.path.join(args.work, "data")
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(args.cache, data)
    return data


def app_env(data, closed_port):
    env = dict(os.environ)
    env.update({
        "MANAGE365_DATA_DIR": data,
        # Network off: Graph and login point at a loopback port nobody
        # listens on, so the first sync fails as offline at once.
        "MANAGE365_GRAPH_URL": f"http://127.0.0.1:{closed_port}",
        "MANAGE365_LOGIN_URL": f"http://127.0.0.1:{closed_port}",
        "MANAGE365_LOG": "info",
    })
    return env


def wait_mark(alive, deadline):
    """Polls the app's log for the mark; (since_start_ms, rows)."""
    while time.monotonic() < deadline:
        m = MARK.search(log_text())
        if m:
            return int(m.group(1)), int(m.group(2))
        if not alive():
            raise Failed("the app exited before painting rows:\n" + log_text()[-3000:])
        time.sleep(0.005)
    raise Failed("no \"first portfolio rows painted\" in the app's log:\n" + log_text()[-3000:])


def page_times():
    """(page_ms, script_ms) of the mark, or (None, None)."""
    m = PAGE_TIMES.search(log_text())
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def check_session(deadline):
    """The app ran on the cached tenants in connected mode, offline."""
    while time.monotonic() < deadline:
        text = log_text()
        if "session started" in text and "outcome=offline" in text:
            break
        time.sleep(0.05)
    text = log_text()
    if "session started mode=Connected" not in text:
        raise Failed("the app did not start in connected mode:\n" + text[-3000:])
    if "outcome=offline" not in text:
        raise Failed("the first sync did not fail as offline:\n" + text[-3000:])


def processes():
    """pid -> (ppid, comm, cpu ticks) for every process."""
    out = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            raw = open(stat).read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        out[int(stat.split("/")[2])] = (int(fields[1]), comm, int(fields[11]) + int(fields[12]))
    return out


def tree(root):
    """root and all its descendants."""
    procs = processes()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in procs:
            found.append(pid)
            todo += [p for p, (ppid, _, _) in procs.items() if ppid == pid]
    return found


def cache_pss(pid, data):
    """PSS (kB) of pid's mappings of files in the cache folder (SQLite's mmap)."""
    total, inside = 0, False
    try:
        lines = open(f"/proc/{pid}/smaps").read().splitlines()
    except OSError:
        return 0
    for line in lines:
        parts = line.split()
        if "-" in parts[0] and not parts[0].endswith(":"):
            inside = len(parts) >= 6 and parts[5].startswith(data)
        elif inside and parts[0] == "Pss:":
            total += int(parts[1])
    return total


def memory(root, data):
    """RSS and PSS (with PSS split) summed over root's process tree, in kB."""
    total = {"rss": 0, "pss": 0, "pss_anon": 0, "pss_file": 0, "pss_shmem": 0, "pss_cache": 0}
    by_process = []
    procs = processes()
    for pid in tree(root):
        try:
            lines = open(f"/proc/{pid}/smaps_rollup").read().splitlines()
        except OSError:
            continue
        values = {k.rstrip(":"): int(v) for k, v, *_ in (l.split() for l in lines[1:])}
        for key, field in (("rss", "Rss"), ("pss", "Pss"), ("pss_anon", "Pss_Anon"),
                           ("pss_file", "Pss_File"), ("pss_shmem", "Pss_Shmem")):
            total[key] += values.get(field, 0)
        total["pss_cache"] += cache_pss(pid, data)
        by_process.append([procs.get(pid, (0, "?", 0))[1], values.get("Pss", 0)])
    total["processes"] = sorted(by_process, key=lambda p: -p[1])
    return total


def wait_idle(root, timeout):
    """Waits until the tree used under 5% of one CPU for a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = sum(processes().get(p, (0, "", 0))[2] for p in tree(root))
        time.sleep(1)
        after = sum(processes().get(p, (0, "", 0))[2] for p in tree(root))
        if (after - before) / TICKS < 0.05:
            return True
    return False


def stop(pids):
    """Terminates the given processes and waits for them to be gone."""
    for sig in (15, 9):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(os.path.exists(f"/proc/{p}") for p in pids):
            for pid in pids:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            time.sleep(0.05)
        if not any(os.path.exists(f"/proc/{p}") for p in pids):
            return
