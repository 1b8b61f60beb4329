/** What the live region says when a release changed (ui/announce.ts), rule by rule. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { changeSummary, snapshotView, type SnapshotView } from '../../ui/announce.js';

const at = (phase: string, stage: SnapshotView['activeStage'], message = 'running'): SnapshotView => ({
  promotion: { phase, message, finished: false },
  activeStage: stage,
});
const stage = (name: string, phase: string, message: string, currentStep = 0): NonNullable<SnapshotView['activeStage']> => ({
  stage: name,
  phase,
  message,
  currentStep,
});

describe('changeSummary', () => {
  const cases: [string, SnapshotView | null, SnapshotView, string | null][] = [
    ['the first snapshot: the page shows it already', null, at('Running', stage('production', 'Progressing', 'step 1')), null],
    ['nothing changed', at('Running', stage('production', 'Progressing', 'step 1')), at('Running', stage('production', 'Progressing', 'step 1')), null],
    [
      'the release finished: its phase and message',
      at('Running', stage('production', 'Progressing', 'step 3')),
      at('Succeeded', null, 'promoted to every stage'),
      'Release Succeeded: promoted to every stage',
    ],
    [
      'the canary advanced a step',
      at('Running', stage('production', 'Progressing', 'setWeight 20', 0)),
      at('Running', stage('production', 'Progressing', 'setWeight 50', 1)),
      'production: setWeight 50',
    ],
    [
      'the next stage started',
      at('Running', stage('staging', 'Progressing', 'synced')),
      at('Running', stage('production', 'AwaitingApproval', 'waiting for 1 approval(s)')),
      'production: waiting for 1 approval(s)',
    ],
    ['a stage appeared', at('Running', null, 'starting'), at('Running', stage('preview', 'Progressing', 'writing')), 'preview: writing'],
    ['between stages, the release message changed', at('Running', null, 'starting'), at('Running', null, 'waiting for staging'), 'waiting for staging'],
    ['between stages, nothing changed', at('Running', null, 'starting'), at('Running', null, 'starting'), null],
  ];
  for (const [name, before, after, expected] of cases) test(name, () => assert.equal(changeSummary(before, after), expected));
});

describe('snapshotView', () => {
  test('reads a snapshot and ignores what it does not need', () => {
    const json: unknown = {
      promotion: { phase: 'Running', message: 'm', pipeline: 'web', finishedAt: null },
      activeStage: { stage: 'production', phase: 'Progressing', message: 's', currentStep: 2, steps: [{}, {}], canaryWeight: 20 },
    };
    assert.deepEqual(snapshotView(json), {
      promotion: { phase: 'Running', message: 'm', finished: false },
      activeStage: { stage: 'production', phase: 'Progressing', message: 's', currentStep: 2, steps: [{}, {}] },
    });
    assert.equal(
      snapshotView({ promotion: { phase: 'Aborted', message: 'm', finishedAt: '2026-11-30T10:00:00Z' }, activeStage: null })?.promotion.finished,
      true,
    );
  });
  test('anything else is not a snapshot', () => {
    for (const json of [null, 'x', 1, {}, { promotion: null }, { promotion: { phase: 1, message: 'm' } }])
      assert.equal(snapshotView(json), null, JSON.stringify(json));
    assert.equal(snapshotView({ promotion: { phase: 'Running', message: 'm' }, activeStage: { stage: 1 } })?.activeStage, null);
  });
});
