/**
 * Validation of deploy windows and soak time that no field's shape can say: a window has an
 * rrule, a cron or a one-off start; rules, cron expressions and time zones parse; a soak names
 * an earlier stage. Each finding says what, where, and gives an example.
 */
import { error, type IssuePath, type SpecIssue } from '../schema/issue.js';
import type { PipelineSpec } from '../schema/pipeline.js';
import type { WindowSpec } from '../schema/windows.js';
import { scheduleOf } from './window-schedule.js';
import { isTimeZone, parseLocal } from './window-time.js';

const TZ_EXAMPLE = 'an IANA time zone such as Europe/Berlin, America/New_York or UTC';

/** The problems of one window (`path`: where it is), its time zone resolved from `zone`. */
export function windowIssues(window: WindowSpec, zone: string, path: IssuePath): SpecIssue[] {
  const timeZone = window.timeZone ?? zone;
  if (window.timeZone !== undefined && !isTimeZone(window.timeZone)) {
    return [error('window-time-zone', [...path, 'timeZone'], `"${window.timeZone}" is not a time zone this worker knows. Write ${TZ_EXAMPLE}`)];
  }
  if (window.rrule !== undefined && window.cron !== undefined) {
    return [
      error(
        'window-schedule',
        path,
        `window ${window.name} has both rrule and cron. Keep one: rrule: FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR with start, or cron: "0 9 * * 1-5"`,
      ),
    ];
  }
  if (window.start !== undefined && parseLocal(window.start) === null) {
    return [
      error(
        'window-start',
        [...path, 'start'],
        `"${window.start}" is not a local date and time. Write it like 2026-01-05T09:00 (in the window's time zone, no offset)`,
      ),
    ];
  }
  if (window.rrule === undefined && window.cron === undefined && window.start === undefined) {
    return [
      error(
        'window-schedule',
        path,
        `window ${window.name} says nothing about when it is. Give rrule: FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR with start: 2026-01-05T09:00, or cron: "0 9 * * 1-5", or only start for a single occurrence`,
      ),
    ];
  }
  if (window.rrule !== undefined && window.start === undefined) {
    return [error('window-start', path, `window ${window.name} has an rrule but no start, its first occurrence. Add start: 2026-01-05T09:00 (local time)`)];
  }
  if (!isTimeZone(timeZone)) return [];
  try {
    const schedule = scheduleOf({ ...window, durationMs: window.duration, timeZone, kind: 'allow', scope: 'stage' });
    schedule.nextStart(Date.parse('2026-01-01T00:00:00Z'));
  } catch (problem) {
    const field = window.rrule !== undefined ? 'rrule' : 'cron';
    const example =
      field === 'rrule' ? 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR (RFC 5545)' : '"0 9 * * 1-5" (minute hour day month weekday; a sixth field first for seconds)';
    return [
      error(`window-${field}`, [...path, field], `${field} of window ${window.name} does not parse: ${(problem as Error).message}. Write e.g. ${example}`),
    ];
  }
  return [];
}

/** Every stage's windows and soak. */
export function stageWindowIssues(spec: PipelineSpec): SpecIssue[] {
  return spec.stages.flatMap((stage, i) => {
    const issues: SpecIssue[] = [];
    const path: IssuePath = ['spec', 'stages', i];
    if (stage.windows) {
      const zone = stage.windows.timeZone;
      if (!isTimeZone(zone))
        issues.push(error('window-time-zone', [...path, 'windows', 'timeZone'], `"${zone}" is not a time zone this worker knows. Write ${TZ_EXAMPLE}`));
      for (const kind of ['allow', 'deny'] as const) {
        stage.windows[kind].forEach((w, j) => issues.push(...windowIssues(w, zone, [...path, 'windows', kind, j])));
      }
      const names = [...stage.windows.allow, ...stage.windows.deny].map((w) => w.name);
      const twice = names.find((n, k) => names.indexOf(n) !== k);
      if (twice !== undefined)
        issues.push(error('window-duplicate', [...path, 'windows'], `two windows of stage ${stage.name} are named ${twice}. Give each its own name`));
    }
    if (stage.soak) {
      const earlier = spec.stages.slice(0, i).map((s) => s.name);
      if (!earlier.includes(stage.soak.after)) {
        const hint = earlier.length > 0 ? `Name one of ${earlier.join(', ')}` : 'The first stage has no earlier stage to soak in: remove soak';
        issues.push(
          error(
            'soak-after',
            [...path, 'soak', 'after'],
            `stage ${stage.name} soaks after "${stage.soak.after}", which is not an earlier stage of this pipeline. ${hint}`,
          ),
        );
      }
    }
    return issues;
  });
}
