/**
 * The times DORA's commands take: an instant (ISO-8601 with a time zone, or a date, read as UTC
 * midnight) and a period's start, which may also be a duration back from now (`30d`, `12h`,
 * `2w`). Pure: `now` is given. Each answers a problem sentence, or the normalised ISO-8601 time.
 */

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/i;
const DURATION = /^(\d{1,6})([mhdw])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export type Parsed = { ok: true; iso: string } | { ok: false; problem: string };

/** An ISO-8601 time with its zone (2026-11-30T14:05:00Z, 2026-11-30T15:05+01:00) or a date (2026-11-30, UTC). */
export function parseInstant(text: string, what: string): Parsed {
  const t = text.trim();
  const ms = ISO.test(t) ? Date.parse(t) : NaN;
  if (Number.isNaN(ms))
    return { ok: false, problem: `${what} must be an ISO-8601 time with its zone, e.g. 2026-11-30T14:05:00Z, or a date such as 2026-11-30; got "${text}"` };
  return { ok: true, iso: new Date(ms).toISOString() };
}

/** A duration back from `now` (30d, 12h, 90m, 2w) or an instant as parseInstant reads it. */
export function parseSince(text: string, what: string, now: Date): Parsed {
  const match = DURATION.exec(text.trim());
  if (match) {
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms === 0) return { ok: false, problem: `${what} must be a positive duration, got "${text}"` };
    return { ok: true, iso: new Date(now.getTime() - ms).toISOString() };
  }
  const instant = parseInstant(text, what);
  if (instant.ok) return instant;
  return {
    ok: false,
    problem: `${what} must be a duration back from now (30d, 12h, 90m, 2w) or an ISO-8601 time (2026-11-01 or 2026-11-01T00:00:00Z); got "${text}"`,
  };
}

/** The period [since, until): both parsed, `since` before `until`. Defaults: the last 30 days up to now. */
export function parsePeriod(
  given: { since?: string | undefined; until?: string | undefined },
  now: Date,
): { ok: true; since: string; until: string } | { ok: false; problem: string } {
  const until = given.until === undefined ? { ok: true as const, iso: now.toISOString() } : parseInstant(given.until, '--until');
  if (!until.ok) return until;
  const since = parseSince(given.since ?? DEFAULT_SINCE, '--since', given.until === undefined ? now : new Date(until.iso));
  if (!since.ok) return since;
  if (Date.parse(since.iso) >= Date.parse(until.iso)) return { ok: false, problem: `--since (${since.iso}) must be before --until (${until.iso})` };
  return { ok: true, since: since.iso, until: until.iso };
}

export const DEFAULT_SINCE = '30d';
