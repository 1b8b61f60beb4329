/**
 * Engine overhead per canary step, read from a stage workflow's history (so it works with any
 * worker process): between one `commitStageChange` activity completing and the next one being
 * scheduled, the workflow task(s) that decide the next step run — that gap is the engine's own
 * time per step. The activity's own time (scheduled → completed, queueing included) is the step's
 * Git I/O.
 */
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time.js';

type Event = temporal.api.history.v1.IHistoryEvent;
type EventType = temporal.api.enums.v1.EventType;

export interface StepTimes {
  /** Next commit scheduled − previous commit completed, ms. */
  gaps: number[];
  /** Each commit: completed − scheduled, ms. */
  io: number[];
}

/** EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and _COMPLETED (the proto enum's numbers). */
const SCHEDULED = 10 as EventType;
const COMPLETED = 12 as EventType;

export function stepTimes(events: readonly Event[], activity = 'commitStageChange'): StepTimes {
  const scheduled = new Map<number, number>();
  const commits: { start: number; end: number }[] = [];
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    if (e.eventType === SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === activity) scheduled.set(Number(e.eventId), at);
    if (e.eventType === COMPLETED) {
      const start = scheduled.get(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId));
      if (start !== undefined) commits.push({ start, end: at });
    }
  }
  commits.sort((a, b) => a.start - b.start);
  return { gaps: commits.slice(1).map((c, i) => c.start - commits[i]!.end), io: commits.map((c) => c.end - c.start) };
}
