/**
 * One deploy window's occurrences: an RFC 5545 rule (rrule-temporal: TZID-aware, DST-correct,
 * local times inside a spring-forward gap omitted), a cron expression (croner, in the window's
 * time zone: a time inside a gap runs at the transition), or one occurrence (`start` only).
 * Each occurrence lasts the window's nominal duration. Activities only (time-zone data).
 */
import { Cron } from 'croner';
import { RRuleTemporal } from 'rrule-temporal';
import { addWallClock, icalLocal, instantOf, parseLocal } from './window-time.js';

/** A window as the edges need it: the stage's or the organisation's, its time zone resolved. */
export interface ScheduledWindow {
  kind: 'allow' | 'deny';
  name: string;
  rrule?: string | undefined;
  cron?: string | undefined;
  /** Local time in `timeZone`: DTSTART of an rrule, or the one occurrence. */
  start?: string | undefined;
  durationMs: number;
  timeZone: string;
  reason?: string | undefined;
  /** Where it was declared, for messages. */
  scope: 'stage' | 'organisation';
}

export interface Schedule {
  /** The latest occurrence start at or before `t`, or null. */
  latestStart(t: number): number | null;
  /** The first occurrence start strictly after `t`, or null. */
  nextStart(t: number): number | null;
  /** When the occurrence starting at `start` ends. */
  end(start: number): number;
}

/** The rule part of an `rrule:` field: `RRULE:` prefix allowed, DTSTART not (it is `start`). */
export function rulePart(rrule: string): string {
  return rrule.trim().replace(/^RRULE:/i, '');
}

/** Builds the schedule; throws with the library's message when the rule, cron or time zone is invalid. */
export function scheduleOf(window: ScheduledWindow): Schedule {
  const { timeZone, durationMs } = window;
  const end = (start: number) => addWallClock(start, durationMs, timeZone);
  if (window.rrule !== undefined) {
    const wall = window.start === undefined ? null : parseLocal(window.start);
    if (wall === null) throw new Error(`window ${window.name}: an rrule needs start, a local time such as 2026-01-05T09:00`);
    if (/DTSTART/i.test(window.rrule)) throw new Error(`window ${window.name}: write the first occurrence in start, not DTSTART in the rrule`);
    const rule = new RRuleTemporal({ rruleString: `DTSTART;TZID=${timeZone}:${icalLocal(wall)}\nRRULE:${rulePart(window.rrule)}` });
    return {
      latestStart: (t) => rule.previous(new Date(t), true)?.epochMilliseconds ?? null,
      nextStart: (t) => rule.next(new Date(t), false)?.epochMilliseconds ?? null,
      end,
    };
  }
  if (window.cron !== undefined) {
    const cron = new Cron(window.cron, { timezone: timeZone });
    return {
      // A run earlier in the same second as the reference counts: t + 1 ms includes a start at t.
      latestStart: (t) => cron.previousRuns(1, new Date(t + 1))[0]?.getTime() ?? null,
      nextStart: (t) => {
        const next = cron.nextRun(new Date(t))?.getTime() ?? null;
        return next !== null && next <= t ? (cron.nextRun(new Date(t + 1000))?.getTime() ?? null) : next;
      },
      end,
    };
  }
  const wall = window.start === undefined ? null : parseLocal(window.start);
  if (wall === null) throw new Error(`window ${window.name}: give rrule, cron, or start (a local time such as 2026-12-20T00:00) for a single occurrence`);
  const only = instantOf(wall, timeZone);
  return { latestStart: (t) => (only <= t ? only : null), nextStart: (t) => (only > t ? only : null), end };
}
