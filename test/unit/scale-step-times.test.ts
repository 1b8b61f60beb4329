/**
 * bench/scale/step-times.ts: a canary's step timings from a stage workflow's history (how
 * `npm run bench:scale` measures engine overhead per step with a worker in another process).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msNumberToTs } from '@temporalio/common/lib/time.js';
import type { temporal } from '@temporalio/proto';
import { stepTimes } from '../../bench/scale/step-times.js';

type Event = temporal.api.history.v1.IHistoryEvent;
/** History events as decoded JSON gives them: plain numbers where the proto types say Long. */
const event = (fields: Record<string, unknown>): Event => fields;
const at = (ms: number) => msNumberToTs(ms);
const scheduled = (id: number, ms: number, name: string) =>
  event({ eventId: id, eventTime: at(ms), eventType: 10, activityTaskScheduledEventAttributes: { activityType: { name } } });
const completed = (id: number, ms: number, scheduledEventId: number) =>
  event({ eventId: id, eventTime: at(ms), eventType: 12, activityTaskCompletedEventAttributes: { scheduledEventId } });
const taskCompleted = (id: number, ms: number) => event({ eventId: id, eventTime: at(ms), eventType: 7 });

const cases: { name: string; events: Event[]; engine: number[]; gaps: number[]; io: number[] }[] = [
  { name: 'no commits', events: [taskCompleted(1, 0)], engine: [], gaps: [], io: [] },
  {
    name: 'two commits, the workflow task reacting to each',
    events: [
      scheduled(5, 1000, 'commitStageChange'),
      completed(6, 1300, 5),
      taskCompleted(9, 1350),
      scheduled(10, 1360, 'notify'),
      completed(11, 1400, 10),
      taskCompleted(14, 1420),
      scheduled(15, 1430, 'commitStageChange'),
      completed(16, 1630, 15),
      taskCompleted(19, 1700),
    ],
    engine: [50, 70],
    gaps: [130],
    io: [300, 200],
  },
  {
    name: 'other activities are neither commits nor reactions to them',
    events: [scheduled(5, 0, 'notify'), completed(6, 100, 5), taskCompleted(9, 150)],
    engine: [],
    gaps: [],
    io: [],
  },
  {
    name: 'a commit with no workflow task after it yet',
    events: [scheduled(5, 0, 'commitStageChange'), completed(6, 100, 5)],
    engine: [],
    gaps: [],
    io: [100],
  },
];

for (const c of cases) {
  test(`stepTimes: ${c.name}`, () => {
    assert.deepEqual(stepTimes(c.events), { engine: c.engine, gaps: c.gaps, io: c.io });
  });
}
