/**
 * Wall-clock arithmetic in an IANA time zone (activities only: time-zone rules come from the
 * worker's Node, so workflows never run this). A window's `duration` is nominal: `8h` from 22:00
 * ends at 06:00 local time even on the night the clocks change, as RFC 5545's DURATION says.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this Node knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock time of instant `ms` in `timeZone`, as milliseconds of a UTC calendar (a "wall" value). */
export function wallOf(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wholeSeconds = Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wholeSeconds + (((ms % 1000) + 1000) % 1000);
}

/** The offset of `timeZone` from UTC at instant `ms`, in ms (Berlin in winter: +3600000). */
export function offsetAt(ms: number, timeZone: string): number {
  return wallOf(ms, timeZone) - ms;
}

const DAY = 86_400_000;

/**
 * The instant of wall-clock time `wall` in `timeZone`, as Temporal's `compatible`
 * disambiguation: a time repeated when clocks go back is its earlier instant; a time skipped
 * when they go forward moves forward by the gap (02:30 on the spring-forward night is 03:30).
 */
export function instantOf(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates = [...new Set([wall - before, wall - after])].filter((ms) => wallOf(ms, timeZone) === wall).sort((a, b) => a - b);
  return candidates[0] ?? wall - before;
}

/** `start` plus a nominal (wall-clock) duration in `timeZone`. */
export function addWallClock(start: number, durationMs: number, timeZone: string): number {
  return instantOf(wallOf(start, timeZone) + durationMs, timeZone);
}

/** `2026-01-05T09:00` (local, seconds optional) as a wall value, or null when it is not one. */
export function parseLocal(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  // 2026-02-30 rolls over to March: not a date.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return wall;
}

/** `20260105T090000`: the iCalendar form of a wall value. */
export function icalLocal(wall: number): string {
  return new Date(wall).toISOString().slice(0, 19).replace(/[-:]/g, '');
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Mon 2026-01-05 09:00 Europe/Berlin`: an instant as people there read it. */
export function formatLocal(ms: number, timeZone: string): string {
  const wall = new Date(wallOf(ms, timeZone));
  return `${WEEKDAYS[wall.getUTCDay()]} ${wall.toISOString().slice(0, 16).replace('T', ' ')} ${timeZone}`;
}
