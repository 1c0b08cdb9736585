// Relative and exact times. Rows show "12 min ago"; the exact local time
// goes in the hover title and the detail panel. `now` is a parameter so
// the rules can be tested without a clock.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad = (n: number) => String(n).padStart(2, "0");

/** "just now", "12 min ago", "3 h ago", "5 d ago", then "12 Mar" / "12 Mar 2023". */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const diff = now.getTime() - t.getTime();
  const ahead = diff < 0;
  const abs = Math.abs(diff);
  const say = (n: number, unit: string) => (ahead ? `in ${n} ${unit}` : `${n} ${unit} ago`);

  if (abs < MIN) return ahead ? "in under a minute" : "just now";
  if (abs < HOUR) return say(Math.floor(abs / MIN), "min");
  if (abs < DAY) return say(Math.floor(abs / HOUR), "h");
  if (abs < 14 * DAY) return say(Math.floor(abs / DAY), "d");

  const sameYear = t.getFullYear() === now.getFullYear();
  const day = `${t.getDate()} ${MONTHS[t.getMonth()]}`;
  return sameYear ? day : `${day} ${t.getFullYear()}`;
}

/** "2025-03-12 09:42:05" in local time. */
export function formatExact(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const date = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  return `${date} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** "09:42" in local time, for the header line. */
export function formatClock(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** "1.2 s", "850 ms", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < MIN) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / MIN)} min ${Math.round((ms % MIN) / 1000)} s`;
}
