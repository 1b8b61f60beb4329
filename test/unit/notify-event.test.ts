/**
 * What the `notify` activity hands the notification workflow (activities/notify.ts): today's
 * kinds as route events, the caller's key or the call's own, the gate and decision passed on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Notification } from '../../activities/contract.js';
import { driftWatchPipeline } from '../../activities/deliver.js';
import { EVENT_OF_KIND, toEvent } from '../../activities/notify.js';
import { driftWorkflowId } from '../../src/domain/drift.js';
import { NOTIFY_EVENTS } from '../../src/notify/events.js';

const base: Notification = { kind: 'approval-waiting', promotionId: 'web@1.4.2', pipeline: 'web', stage: 'production', version: '1.4.2', message: 'waiting' };

test('every kind maps to a route event; today’s names to the new ones', () => {
  for (const event of Object.values(EVENT_OF_KIND)) assert.ok((NOTIFY_EVENTS as readonly string[]).includes(event), event);
  assert.deepEqual(
    [EVENT_OF_KIND['approval-waiting'], EVENT_OF_KIND['stage-promoted'], EVENT_OF_KIND['stage-rolled-back'], EVENT_OF_KIND['history-rewritten']],
    ['approval-requested', 'promoted', 'rolled-back', 'history-rewritten'],
  );
});

test('the key: the caller’s when given, else the activity call’s own (which retries keep)', () => {
  assert.equal(toEvent(base, 'wf/run/5', 'now').key, 'wf/run/5');
  assert.equal(toEvent({ ...base, key: 'mine' }, 'wf/run/5', 'now').key, 'mine');
});

test('the legacy kind, the gate, the decision and `also` travel with the event', () => {
  const gate = { name: 'gate', attempt: 1, commit: null, deadline: null, eligible: [] };
  const event = toEvent({ ...base, kind: 'stage-rolled-back', also: ['canary-aborted'], gate }, 'k', '2026-11-30T10:00:00.000Z');
  assert.deepEqual(event, {
    key: 'k',
    event: 'rolled-back',
    also: ['canary-aborted'],
    kind: 'stage-rolled-back',
    promotionId: 'web@1.4.2',
    pipeline: 'web',
    stage: 'production',
    version: '1.4.2',
    message: 'waiting',
    at: '2026-11-30T10:00:00.000Z',
    gate,
  });
  assert.equal('decision' in toEvent(base, 'k', 'now'), false);
});

test('a drift watch id names its pipeline (whose newest promotion’s routes it uses)', () => {
  assert.equal(driftWatchPipeline(driftWorkflowId('web', 'staging')), 'web');
  assert.equal(driftWatchPipeline('web-1.4.2'), null);
  assert.equal(driftWatchPipeline('web@1.4.2'), null);
});
