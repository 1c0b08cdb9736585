import { describe, expect, it } from "vitest";
import type { IncidentRow, PortfolioPage, PortfolioQuery } from "../api";
import { PAGE_SIZE } from "../logic/filters";
import { IncidentList, KEEP_PAGES, pagesToDrop } from "./incidentList.svelte";

const TOTAL = 30 * PAGE_SIZE;

function row(i: number): IncidentRow {
  return { tenantId: "t1", id: String(i), displayName: `Incident ${i}` } as IncidentRow;
}

/** A backend of TOTAL incidents that records the offset of every read. */
function backend() {
  const offsets: number[] = [];
  const fetch = (q: PortfolioQuery): Promise<PortfolioPage> => {
    offsets.push(q.offset);
    const end = Math.min(q.offset + q.limit, TOTAL);
    const items = Array.from({ length: end - q.offset }, (_, k) => row(q.offset + k));
    return Promise.resolve({
      items,
      total: TOTAL,
      counts: { high: TOTAL, medium: 0, low: 0, informational: 0, unknown: 0 },
      skipped: [],
      tenantCount: 1,
      lastSyncedAt: null,
    });
  };
  return { fetch, offsets };
}

/** Lets the list's page reads finish. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("pagesToDrop", () => {
  it("drops the pages farthest from the view until `keep` remain", () => {
    expect(pagesToDrop([0, 1, 2, 3, 9], 2, 3)).toEqual([9, 0]);
    expect(pagesToDrop([4, 5], 0, 3)).toEqual([]);
    expect(pagesToDrop([1, 3], 2, 1)).toEqual([3]);
  });
});

describe("IncidentList", () => {
  it("keeps the pages near the view while scrolling through every page", async () => {
    const { fetch, offsets } = backend();
    const list = new IncidentList(fetch, null);
    await list.load();
    for (let first = 0; first < TOTAL; first += 40) {
      list.ensure(first, first + 39);
      await settle();
      expect(list.rowAt(first)?.id).toBe(String(first));
    }
    const held = Array.from({ length: 30 }, (_, p) => p).filter(
      (p) => list.rowAt(p * PAGE_SIZE) !== undefined,
    );
    expect(held).toEqual(Array.from({ length: KEEP_PAGES }, (_, k) => 30 - KEEP_PAGES + k));
    expect(offsets.length).toBe(30);

    // Back to the top: the dropped first page is read again.
    list.ensure(0, 39);
    await settle();
    expect(list.rowAt(0)?.id).toBe("0");
    expect(offsets.at(-1)).toBe(0);
    expect(list.total).toBe(TOTAL);
  });

  it("re-reads only the pages it holds after a sync", async () => {
    const { fetch, offsets } = backend();
    const list = new IncidentList(fetch, null);
    await list.load();
    for (let p = 0; p < 20; p++) {
      list.ensure(p * PAGE_SIZE, p * PAGE_SIZE + 39);
      await settle();
    }
    offsets.length = 0;
    await list.reload();
    expect(offsets.length).toBe(KEEP_PAGES);
    expect(list.rowAt(19 * PAGE_SIZE)?.id).toBe(String(19 * PAGE_SIZE));
    expect(list.rowAt(0)).toBeUndefined();
  });
});
