"""Plumbing for the whole-app tests: a graph-sim process, tauri-driver with
the app's environment, a WebDriver session, and a tiny test runner that ends
with the `N passed, N failed` line CI reads."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions

ART = os.environ.get("ART", os.path.abspath("e2e-artifacts"))
APP = os.environ["E2E_APP"]
SIM = os.environ["E2E_SIM"]

# graph-sim's documented app registration (crates/graph-sim/src/config.rs).
CLIENT_ID = "6a1f1c2e-5b7d-4e0a-9c43-2f8d1e6b7a90"
CLIENT_SECRET = "sim~secret.Q8w_rT5yUe2-pA9sD4fG7hJ1kL3zX6cV"
PARTNER_TENANT = "9c6b2e1f-4a37-4d58-8e0b-7f3a5d2c1b90"


class Sim:
    """A graph-sim child process on an ephemeral loopback port."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [SIM, "--addr", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=open(os.path.join(ART, "graph-sim.log"), "w"),
            text=True,
        )
        line = self.proc.stdout.readline().strip()
        prefix = "graph-sim listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"graph-sim did not start: {line!r}")
        self.url = line[len(prefix):]

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as resp:
            return json.load(resp)

    def post(self, path, body=None):
        data = json.dumps(body or {}).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method="POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read()
            return json.loads(text) if text else None

    def requests(self, method=None):
        log = self.get("/_sim/requests")
        entries = log["value"]
        return [r for r in entries if method is None or r.get("method") == method]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def wait_port_free(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"port {port} is still taken")


class App:
    """tauri-driver plus one WebDriver session on the real app binary."""

    def __init__(self, sim, data_dir=None):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="m365-e2e-")
        env = dict(os.environ)
        env.update({
            "MANAGE365_DATA_DIR": self.data_dir,
            "MANAGE365_GRAPH_URL": sim.url,
            "MANAGE365_LOGIN_URL": sim.url,
            "AZURE_CLIENT_ID": CLIENT_ID,
            "AZURE_TENANT_ID": PARTNER_TENANT,
            "AZURE_CLIENT_SECRET": CLIENT_SECRET,
            "MANAGE365_LOG": "info",
        })
        wait_port_free(4444)  # a previous session's driver may still be exiting
        self.driver_proc = subprocess.Popen(
            ["tauri-driver"], env=env,
            stdout=open(os.path.join(ART, "tauri-driver.log"), "a"),
            stderr=subprocess.STDOUT)
        wait_port(4444)
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": APP})
        self.d = webdriver.Remote(command_executor="http://127.0.0.1:4444", options=opts)
        self.d.implicitly_wait(0)

    def quit(self):
        try:
            self.d.quit()
        finally:
            self.driver_proc.terminate()
            self.driver_proc.wait(timeout=10)

    def wait(self, predicate, what, timeout=30):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                value = predicate()
                if value:
                    return value
            except WebDriverException as e:
                last = e
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}" + (f": {last}" if last else ""))

    def css(self, selector):
        return self.d.find_elements(By.CSS_SELECTOR, selector)

    def one(self, selector, timeout=30):
        return self.wait(lambda: (self.css(selector) or [None])[0], selector, timeout)

    def text_of(self, selector):
        """The text content of the first match, read in the page (WebKit's
        driver cannot compute the visible text of some elements)."""
        return self.d.execute_script(
            "const el = document.querySelector(arguments[0]); return el ? el.textContent : null;",
            selector)

    def invoke(self, command, args=None):
        """Calls an app command from inside the page, through Tauri's IPC,
        and returns its JSON answer (or `{"error": ...}`)."""
        return self.d.execute_async_script(
            """
            const [command, args, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(command, args)
              .then((value) => done({ value }), (error) => done({ error }));
            """,
            command, args or {})

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def shot(self, name):
        self.d.save_screenshot(os.path.join(ART, f"{name}.png"))


def run(tests):
    """Runs each test function in order; one failure does not stop the rest."""
    passed = failed = 0
    only = os.environ.get("E2E_ONLY")  # run a subset while debugging
    tests = [t for t in tests if not only or only in t.__name__ or t.__name__.startswith("stop")]
    for test in tests:
        name = test.__name__
        started = time.time()
        try:
            test()
            passed += 1
            print(f"ok   {name} ({time.time() - started:.1f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {name}", flush=True)
            traceback.print_exc()
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
