/** Soak time from Git (src/governance/soak.ts): where a version became stable in a stage, and the time left, as tables. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryEntry } from '../../src/domain/changes.js';
import { formatTimeLeft, stableSinceFromHistory } from '../../src/governance/soak.js';

const entry = (sha: string, step: string, version: string, at: string, more: Partial<HistoryEntry> = {}): HistoryEntry => ({
  sha,
  committedAt: at,
  subject: `web/staging: ${step}`,
  promotion: `web@${version}`,
  stage: 'staging',
  step,
  version,
  approvedBy: [],
  requestedBy: null,
  rollback: null,
  ...more,
});

describe('when a version became stable in a stage, from ramp’s commits (newest first)', () => {
  const cases: [string, HistoryEntry[], string | null][] = [
    ['a canary’s full promotion', [entry('b', '1/promote', '1.2.0', 'T2'), entry('a', '1/0/canary/20', '1.2.0', 'T1')], 'T2'],
    ['a direct stage’s update', [entry('a', '1/update', '1.2.0', 'T1')], 'T1'],
    ['only canary steps: never stable', [entry('a', '1/0/canary/20', '1.2.0', 'T1')], null],
    ['another version', [entry('a', '1/promote', '1.1.0', 'T1')], null],
    ['another stage', [entry('a', '1/promote', '1.2.0', 'T1', { stage: 'preview' })], null],
    ['reverted later', [entry('r', '1/rollback', '1.2.0', 'T3', { rollback: { of: 'b', reason: 'abort' } }), entry('b', '1/promote', '1.2.0', 'T2')], null],
    [
      'promoted again after a revert: the newest counts',
      [
        entry('c', '2/promote', '1.2.0', 'T4'),
        entry('r', '1/rollback', '1.2.0', 'T3', { rollback: { of: 'b', reason: 'x' } }),
        entry('b', '1/promote', '1.2.0', 'T2'),
      ],
      'T4',
    ],
  ];
  for (const [what, entries, expected] of cases) test(what, () => assert.equal(stableSinceFromHistory(entries, 'staging', '1.2.0'), expected));
});

describe('time left, for people', () => {
  const cases: [number, string][] = [
    [0, '0 s'],
    [45_000, '45 s'],
    [125_000, '2 min 5 s'],
    [11 * 60_000, '11 min'],
    [3 * 3_600_000 + 12 * 60_000, '3 h 12 min'],
    [26 * 3_600_000, '1 d 2 h'],
  ];
  for (const [ms, text] of cases) test(text, () => assert.equal(formatTimeLeft(ms), text));
});
