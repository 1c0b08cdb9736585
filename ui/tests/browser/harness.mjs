// Test harness for the browser suite: builds the mock entry once, serves
// dist-mock on 127.0.0.1:0 with a tiny static server, and launches Debian's
// chromium through playwright-core (no browser download).

import { createServer } from "node:http";
import { mkdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join, extname, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { chromium } from "playwright-core";

export const UI = fileURLToPath(new URL("../../", import.meta.url));
export const ARTIFACTS = join(UI, "test-artifacts");
const DIST = join(UI, "dist-mock");
const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
};

export async function start() {
  await build({ root: UI, mode: "mock", logLevel: "warn" });
  mkdirSync(ARTIFACTS, { recursive: true });

  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(
      /^(\.\.[/\\])+/,
      "",
    );
    const file = join(DIST, path === "/" ? "mock.html" : path);
    if (!file.startsWith(DIST) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    // The CSP the desktop shell will use: no inline scripts, no eval.
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-security-policy":
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // No --user-data-dir: playwright refuses it on launch() and already
      // gives every launch a fresh temporary profile.
    ],
  });

  return {
    base,
    browser,
    async stop() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A fresh context (empty localStorage) and page at a scenario. */
export async function openApp(
  env,
  { scenario = "default", hash = "#/portfolio", width = 1440, height = 900 } = {},
) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/favicon/.test(m.text())) errors.push(m.text());
  });
  await page.goto(`${env.base}/mock.html?scenario=${scenario}${hash}`);
  return { context, page, errors };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

export const calls = (page, cmd) =>
  page.evaluate((c) => window.__ipcCalls.filter((x) => x.cmd === c), cmd);
