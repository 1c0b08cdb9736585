// The startup mark: once per app run, when the portfolio's first rows are
// on screen, the shell is told so and logs the time since the process
// started. "On screen" means after Svelte flushed the DOM and the browser
// produced two frames: the first rAF runs before a paint, the second after.

import { tick } from "svelte";
import * as api from "../api";

let marked = false;

/**
 * Longest wait for the first rows before work held back for them runs
 * anyway (the app may open on a page without the portfolio, or on an
 * empty cache).
 */
const HOLD_BACK_MS = 1500;

let released = false;
let waiting: (() => void)[] = [];

function release(): void {
  if (released) return;
  released = true;
  for (const fn of waiting) fn();
  waiting = [];
}

/**
 * Runs `fn` once the first portfolio rows are painted (or after
 * HOLD_BACK_MS): for start-up reads the first screen does not show, such
 * as the tenant list behind the filter menu and the navigation's badges,
 * which otherwise compete with the first page for the backend and the web
 * view's main thread.
 */
export function afterFirstRows(fn: () => void): void {
  if (released) {
    fn();
    return;
  }
  if (waiting.length === 0) setTimeout(release, HOLD_BACK_MS);
  waiting.push(fn);
}

// When this module's code ran, in ms since the page's navigation started:
// the bundle evaluates every module at once, so this is when the app's
// scripts started running.
const scriptStartedMs = performance.now();

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** Rows of the incident grid that show an incident (not a placeholder). */
function paintedRows(): number {
  const rows = document.querySelectorAll("#incident-grid [data-row]");
  return [...rows].filter((r) => !r.querySelector(".loading")).length;
}

/**
 * Reports the first painted portfolio rows, once. Call it when the list has
 * loaded a non-empty page; if no row is in the grid by the time the frames
 * are out (the user left the page), a later call tries again.
 */
export async function markFirstRowsPainted(): Promise<void> {
  if (marked) return;
  marked = true;
  await tick();
  await nextFrame();
  await nextFrame();
  const rows = paintedRows();
  if (rows === 0) {
    marked = false;
    return;
  }
  release();
  // Only the log is at stake: a failure here must not reach the analyst.
  await api
    .markFirstRowsPainted(rows, Math.round(performance.now()), Math.round(scriptStartedMs))
    .catch(() => undefined);
}
