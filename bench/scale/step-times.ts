/**
 * A canary's step timings, read from a stage workflow's history (so they work with any worker
 * process). Engine overhead per step: from one `commitStageChange` activity completing to the
 * workflow task that reacts to it completing (waiting for a worker's workflow slot included).
 * Between steps: from that commit completing to the next commit being scheduled (the step's
 * other activities — notify, checks — included). The commit activity's own time (scheduled →
 * completed, queueing behind the clone included) is the step's Git I/O.
 */
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time.js';

type Event = temporal.api.history.v1.IHistoryEvent;
type EventType = temporal.api.enums.v1.EventType;

export interface StepTimes {
  /** The first workflow task completed after a commit completed − that commit completed, ms. */
  engine: number[];
  /** Next commit scheduled − previous commit completed, ms. */
  gaps: number[];
  /** Each commit: completed − scheduled, ms. */
  io: number[];
}

/** EVENT_TYPE_ACTIVITY_TASK_SCHEDULED and _COMPLETED (the proto enum's numbers). */
const SCHEDULED = 10 as EventType;
const COMPLETED = 12 as EventType;
/** EVENT_TYPE_WORKFLOW_TASK_COMPLETED. */
const TASK_COMPLETED = 7 as EventType;

export function stepTimes(events: readonly Event[], activity = 'commitStageChange'): StepTimes {
  const scheduled = new Map<number, number>();
  const commits: { start: number; end: number }[] = [];
  const engine: number[] = [];
  let reactingTo: number | null = null;
  for (const e of events) {
    const at = tsToMs(e.eventTime);
    if (e.eventType === TASK_COMPLETED && reactingTo !== null) {
      engine.push(at - reactingTo);
      reactingTo = null;
    }
    if (e.eventType === SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === activity) scheduled.set(Number(e.eventId), at);
    if (e.eventType === COMPLETED) {
      const start = scheduled.get(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId));
      if (start !== undefined) {
        commits.push({ start, end: at });
        reactingTo = at;
      }
    }
  }
  commits.sort((a, b) => a.start - b.start);
  return { engine, gaps: commits.slice(1).map((c, i) => c.start - commits[i]!.end), io: commits.map((c) => c.end - c.start) };
}
