/** The delivery trailers a stage puts on its commits (docs/dora.md). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryTrailers } from '../../workflows/delivery-trailers.js';
import type { StageEvent } from '../../workflows/messages.js';

const started: StageEvent[] = [
  { at: '2026-11-02T08:00:00.000Z', kind: 'started', message: 'stage production: promoting 1.0.0 (attempt 1)' },
  { at: '2026-11-02T08:00:05.000Z', kind: 'commit', message: 'x' },
];

const cases: [string, Parameters<typeof deliveryTrailers>[0], StageEvent[], ReturnType<typeof deliveryTrailers>][] = [
  ['a promotion without a known source: none', { kind: 'promote' }, started, {}],
  [
    "a promotion: the release's source and what it fixes",
    { kind: 'promote', release: { commit: 'abc', time: '2026-11-01T10:00:00Z', fixes: '1.0.9', authors: ['a'] } },
    started,
    { source: { commit: 'abc', time: '2026-11-01T10:00:00Z' }, fixes: '1.0.9' },
  ],
  ['only the source time', { kind: 'promote', release: { time: '2026-11-01T10:00:00Z' } }, started, { source: { time: '2026-11-01T10:00:00Z' } }],
  ['only authors: none', { kind: 'promote', release: { authors: ['a'] } }, started, {}],
  [
    'a rollback: detected when the stage started, no source',
    { kind: 'rollback', release: { commit: 'abc', fixes: '1' } },
    started,
    { detectedAt: '2026-11-02T08:00:00.000Z' },
  ],
  ['a rollback without a start event: none', { kind: 'rollback' }, [], {}],
];
for (const [name, input, events, expected] of cases) test(name, () => assert.deepEqual(deliveryTrailers(input, events), expected));
