// One paged, filtered incident list: the portfolio or a tenant's queue.
//
// The backend pages (offset/limit). The table asks for the rows it shows
// (`ensure(first, last)`); pages are fetched once per filter generation and
// kept in a sparse array, the KEEP_PAGES nearest the rows last asked for, so
// scrolling back a little is instant while a scroll through 100k incidents
// does not keep them all in the web view's memory (pages dropped are read
// again when they come back into view). A filter change starts a new
// generation: answers from an older one are dropped, which is what keeps
// fast typing in the filter correct.

import * as api from "../api";
import type {
  IncidentRow,
  PortfolioPage,
  PortfolioQuery,
  SeverityCounts,
  SkippedTenant,
} from "../api";
import {
  PAGE_SIZE,
  emptyFilters,
  isEmptyFilters,
  parseFilters,
  serializeFilters,
  toQuery,
  type Filters,
} from "../logic/filters";

type Fetch = (q: PortfolioQuery) => Promise<PortfolioPage>;

const ZERO: SeverityCounts = { high: 0, medium: 0, low: 0, informational: 0, unknown: 0 };

/**
 * Pages of rows kept at most: 2,000 rows, several screens either way of a
 * full-height list. Measured in the benchmark's scroll run (docs/benchmarks.md):
 * keeping every page left ~300 MB of rows in the web process after 100k.
 */
export const KEEP_PAGES = 10;

/** Of the pages `held`, those to drop so that `keep` remain, farthest from `near` first. */
export function pagesToDrop(held: Iterable<number>, near: number, keep: number): number[] {
  const byDistance = [...held].sort((a, b) => Math.abs(b - near) - Math.abs(a - near) || b - a);
  return byDistance.slice(0, Math.max(0, byDistance.length - keep));
}

export class IncidentList {
  #fetch: Fetch;
  #storageKey: string | null;
  #filters = $state<Filters>(emptyFilters());
  #rows = $state.raw<(IncidentRow | undefined)[]>([]);
  #total = $state(0);
  #counts = $state<SeverityCounts>(ZERO);
  #skipped = $state<SkippedTenant[]>([]);
  #tenantCount = $state(0);
  #lastSyncedAt = $state<string | null>(null);
  #loaded = $state(false);
  #error = $state<api.BackendError | null>(null);
  #cursor = $state(0);
  #generation = 0;
  /** The page of the first row last asked for: pages farthest from it go first. */
  #near = 0;
  // Page bookkeeping for the loader, deliberately not reactive: nothing
  // renders from it, and tracking it would re-run effects on every fetch.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  #pending = new Set<number>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  #have = new Set<number>();

  constructor(fetch: Fetch, storageKey: string | null) {
    this.#fetch = fetch;
    this.#storageKey = storageKey;
    if (storageKey && typeof localStorage !== "undefined") {
      this.#filters = parseFilters(localStorage.getItem(storageKey));
    }
  }

  get filters() {
    return this.#filters;
  }
  get total() {
    return this.#total;
  }
  get counts() {
    return this.#counts;
  }
  get skipped() {
    return this.#skipped;
  }
  get tenantCount() {
    return this.#tenantCount;
  }
  get lastSyncedAt() {
    return this.#lastSyncedAt;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }
  get filtered() {
    return !isEmptyFilters(this.#filters);
  }
  /** Index of the keyboard cursor row. */
  get cursor() {
    return this.#cursor;
  }

  rowAt(i: number): IncidentRow | undefined {
    return this.#rows[i];
  }

  indexOf(tenantId: string, incidentId: string): number {
    return this.#rows.findIndex((r) => r?.tenantId === tenantId && r.id === incidentId);
  }

  setCursor(i: number): void {
    this.#cursor = Math.max(0, Math.min(i, Math.max(0, this.#total - 1)));
  }

  /** Replaces the filters, remembers them, and starts over from the top. */
  setFilters(f: Filters): void {
    this.#filters = f;
    if (this.#storageKey) localStorage.setItem(this.#storageKey, serializeFilters(f));
    this.#cursor = 0;
    void this.load();
  }

  clearFilters(): void {
    this.setFilters(emptyFilters());
  }

  /** Drops what is cached and fetches the first page. */
  async load(): Promise<void> {
    this.#generation += 1;
    this.#near = 0;
    this.#pending.clear();
    this.#have.clear();
    await this.#page(0, this.#generation, true);
  }

  /**
   * Re-reads the pages that are cached (after a sync): the list keeps its
   * place and rows change in place.
   */
  async reload(): Promise<void> {
    const pages = [...this.#have].sort((a, b) => a - b);
    this.#generation += 1;
    this.#pending.clear();
    this.#have.clear();
    const gen = this.#generation;
    await this.#page(pages[0] ?? 0, gen, true);
    await Promise.all(pages.slice(1).map((p) => this.#page(p, gen, false)));
  }

  /** Makes sure the rows from `first` to `last` are fetched or on their way. */
  ensure(first: number, last: number): void {
    if (!this.#loaded) return;
    const end = Math.min(last, this.#total - 1);
    this.#near = Math.floor(Math.max(0, first) / PAGE_SIZE);
    for (let p = this.#near; p * PAGE_SIZE <= end; p++) {
      if (!this.#have.has(p) && !this.#pending.has(p)) void this.#page(p, this.#generation, false);
    }
  }

  /** Replaces one row in place (after an update was read back). */
  patchRow(row: IncidentRow): void {
    const i = this.indexOf(row.tenantId, row.id);
    if (i < 0) return;
    const next = this.#rows.slice();
    next[i] = row;
    this.#rows = next;
  }

  async #page(p: number, gen: number, replace: boolean): Promise<void> {
    this.#pending.add(p);
    try {
      const page = await this.#fetch(toQuery(this.#filters, p * PAGE_SIZE, PAGE_SIZE));
      if (gen !== this.#generation) return;
      this.#apply(p, page, replace);
      this.#error = null;
    } catch (e) {
      if (gen === this.#generation) this.#error = api.BackendError.from(e);
    } finally {
      if (gen === this.#generation) this.#pending.delete(p);
    }
  }

  #apply(p: number, page: PortfolioPage, replace: boolean): void {
    const rows = replace ? new Array<IncidentRow | undefined>(page.total) : this.#rows.slice();
    rows.length = page.total;
    page.items.forEach((r, k) => (rows[p * PAGE_SIZE + k] = r));
    this.#have.add(p);
    for (const q of pagesToDrop(this.#have, this.#near, KEEP_PAGES)) {
      this.#have.delete(q);
      rows.fill(undefined, q * PAGE_SIZE, Math.min((q + 1) * PAGE_SIZE, rows.length));
    }
    this.#rows = rows;
    this.#total = page.total;
    this.#counts = page.counts;
    this.#skipped = page.skipped;
    this.#tenantCount = page.tenantCount;
    this.#lastSyncedAt = page.lastSyncedAt;
    this.#loaded = true;
    if (this.#cursor >= page.total) this.#cursor = Math.max(0, page.total - 1);
  }

  reset(): void {
    this.#filters = emptyFilters();
    this.#rows = [];
    this.#total = 0;
    this.#counts = ZERO;
    this.#skipped = [];
    this.#loaded = false;
    this.#error = null;
    this.#cursor = 0;
    this.#generation += 1;
    this.#near = 0;
    this.#pending.clear();
    this.#have.clear();
  }
}

export const portfolio = new IncidentList(api.portfolio, "m365.portfolio.filters.v1");
