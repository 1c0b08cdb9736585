import { describe, expect, it } from "vitest";
import { formatClock, formatDuration, formatExact, formatRelative } from "./time";

const now = new Date("2025-03-12T10:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

describe("relative time", () => {
  it("says just now under a minute", () => {
    expect(formatRelative(ago(30_000), now)).toBe("just now");
  });

  it("counts minutes, hours and days", () => {
    expect(formatRelative(ago(12 * 60_000), now)).toBe("12 min ago");
    expect(formatRelative(ago(3 * 3_600_000 + 5), now)).toBe("3 h ago");
    expect(formatRelative(ago(5 * 86_400_000), now)).toBe("5 d ago");
  });

  it('speaks of future times as "in"', () => {
    expect(formatRelative(new Date(now.getTime() + 5 * 60_000).toISOString(), now)).toBe(
      "in 5 min",
    );
  });

  it("falls back to a date after two weeks, with the year only when it differs", () => {
    const old = new Date(2025, 0, 20, 12).toISOString();
    const older = new Date(2023, 5, 2, 12).toISOString();

    expect(formatRelative(old, now)).toBe("20 Jan");
    expect(formatRelative(older, now)).toBe("2 Jun 2023");
  });

  it("shows a dash for missing times and the raw text for unparsable ones", () => {
    expect(formatRelative(null, now)).toBe("—");
    expect(formatRelative("not a time", now)).toBe("not a time");
  });
});

describe("exact time", () => {
  it("formats local date and time with seconds", () => {
    const local = new Date(2025, 2, 12, 9, 42, 5).toISOString();

    expect(formatExact(local)).toBe("2025-03-12 09:42:05");
    expect(formatClock(local)).toBe("09:42");
  });

  it("formats durations in the largest sensible unit", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(null)).toBe("—");
  });
});
