/**
 * The notification workflow (workflows/notification.ts) on the time-skipping test server, with a
 * fake of ramp's own delivery activities (the channels themselves: test/integration/notify-channels):
 * a repeated signal and a retried delivery send once; reminders and an escalation come from
 * timers and stop with the decision, which replaces every Slack message of the gate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DeliveryRequest, NotificationActivities, SlackRef } from '../../activities/notify-contract.js';
import type { NotificationEvent } from '../../src/notify/events.js';
import { Notifications } from '../../src/schema/notifications.js';
import { notificationEventSignal, notificationStateQuery, notificationWorkflowId, type NotificationState } from '../../workflows/notification-messages.js';
import type { notificationWorkflow } from '../../workflows/notification.js';
import { createTestWorker, getTimeSkippingEnv } from '../harness/temporal.js';
import { waitFor } from '../support/wait.js';

interface Recorder {
  activities: NotificationActivities;
  deliveries: DeliveryRequest[];
  updates: SlackRef[];
  attempts: Map<string, number>;
}

function recorder(routes: unknown, legacy = 0, failFirst: RegExp | null = null): Recorder {
  const deliveries: DeliveryRequest[] = [];
  const updates: SlackRef[] = [];
  const attempts = new Map<string, number>();
  let ts = 0;
  return {
    deliveries,
    updates,
    attempts,
    activities: {
      // eslint-disable-next-line @typescript-eslint/require-await
      async notificationRoutes() {
        return { routes: Notifications.parse({ routes }).routes, slackTokenRef: 'slack-bot-token', legacy };
      },
      // eslint-disable-next-line @typescript-eslint/require-await
      async deliverNotification(request) {
        const id = `${request.event.key}|${request.delivery.target.id}`;
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        if (failFirst?.test(id) && n === 1) throw new Error('the channel is down (first attempt)');
        deliveries.push(request);
        return request.delivery.target.channel === 'slack' ? { slack: { channel: 'C0DEPLOYS', ts: `1700000000.${String(++ts).padStart(6, '0')}` } } : {};
      },
      // eslint-disable-next-line @typescript-eslint/require-await
      async updateSlackMessage({ message }) {
        updates.push(message);
      },
    },
  };
}

const gate = { name: 'gate', attempt: 1, commit: 'c'.repeat(40), deadline: null, eligible: ['dave@example.com'] };
function event(promotionId: string, change: Partial<NotificationEvent> & Pick<NotificationEvent, 'key' | 'event'>): NotificationEvent {
  return {
    kind: change.event,
    promotionId,
    pipeline: 'web',
    stage: 'production',
    version: '1.4.2',
    message: change.event,
    at: new Date(0).toISOString(),
    ...change,
  };
}
const sent = (r: Recorder) => r.deliveries.map((d) => `${d.event.event} ${d.delivery.target.id}`);

describe('the notification workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTimeSkippingEnv()));
  after(async () => env?.teardown());

  test('a repeated event and a retried delivery are sent once per target; the run ends after the promotion', async () => {
    const r = recorder([{ on: ['*'], to: ['slack:#deploys', 'webhook:https://h.example/x'], secretRef: 'k' }], 1, /webhook/);
    const { worker, taskQueue } = await createTestWorker(env, { activities: r.activities });
    const promotionId = 'web@1.4.2-dedupe';
    const state = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof notificationWorkflow>('notificationWorkflow', {
        taskQueue,
        workflowId: notificationWorkflowId(promotionId),
        args: [{ promotionId }],
      });
      const promoted = event(promotionId, { key: 'run/1/promoted', event: 'promoted' });
      await handle.signal(notificationEventSignal, promoted);
      await handle.signal(notificationEventSignal, promoted);
      await handle.signal(notificationEventSignal, { ...promoted, message: 'the same key again' });
      await handle.signal(notificationEventSignal, event(promotionId, { key: 'run/9/finished', event: 'promotion-finished', stage: null }));
      await handle.signal(notificationEventSignal, event(promotionId, { key: 'run/9/finished', event: 'promotion-finished', stage: null }));
      return handle.result();
    });
    assert.deepEqual(sent(r).sort(), [
      'promoted legacy:RAMP_NOTIFY_WEBHOOKS[0]',
      'promoted slack:#deploys',
      'promoted webhook:https://h.example/x',
      'promotion-finished legacy:RAMP_NOTIFY_WEBHOOKS[0]',
      'promotion-finished slack:#deploys',
      'promotion-finished webhook:https://h.example/x',
    ]);
    assert.equal(r.attempts.get('run/1/promoted|webhook:https://h.example/x'), 2, 'the webhook failed once and was retried');
    assert.equal(Object.values(state.sent).filter((s) => s.outcome === 'sent').length, 6);
    assert.equal(state.finished, true);
  });

  test('a long history continues as new, keeping what was sent: a repeated key after it is still dropped', async () => {
    const r = recorder([{ on: ['*'], to: ['slack:#deploys'] }]);
    const { worker, taskQueue } = await createTestWorker(env, { activities: r.activities });
    const promotionId = 'web@1.4.2-long';
    const state = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof notificationWorkflow>('notificationWorkflow', {
        taskQueue,
        workflowId: notificationWorkflowId(promotionId),
        args: [{ promotionId, historyLimit: 30 }],
      });
      const firstRun = handle.firstExecutionRunId;
      for (let i = 0; i < 8; i++) {
        await handle.signal(notificationEventSignal, event(promotionId, { key: `e${i}`, event: 'promoted' }));
        await waitFor(
          () => handle.query(notificationStateQuery),
          (s) => s.sent[`e${i}|slack:#deploys`] !== undefined,
          `event ${i} sent`,
        );
      }
      const now = env.client.workflow.getHandle(notificationWorkflowId(promotionId));
      assert.notEqual((await now.describe()).runId, firstRun, 'continued as new');
      await now.signal(notificationEventSignal, event(promotionId, { key: 'e0', event: 'promoted' }));
      await now.signal(notificationEventSignal, event(promotionId, { key: 'end', event: 'promotion-finished', stage: null }));
      return now.result();
    });
    assert.equal(r.deliveries.filter((d) => d.event.key === 'e0').length, 1);
    assert.equal(Object.keys(state.sent).length, 9);
  });

  test('a gate left undecided (the stage rolled back) loses its timers and its Slack buttons', async () => {
    const r = recorder([{ on: ['approval-requested'], to: ['slack:#deploys'], remindAfter: '1h' }]);
    const { worker, taskQueue } = await createTestWorker(env, { activities: r.activities });
    const promotionId = 'web@1.4.2-undecided';
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof notificationWorkflow>('notificationWorkflow', {
        taskQueue,
        workflowId: notificationWorkflowId(promotionId),
        args: [{ promotionId }],
      });
      await handle.signal(notificationEventSignal, event(promotionId, { key: 'req', event: 'approval-requested', gate }));
      await waitFor(
        () => handle.query(notificationStateQuery),
        (s) => s.timers.length === 1 && Object.keys(s.slack).length === 1,
        'the request posted, its reminder set',
      );
      await handle.signal(notificationEventSignal, event(promotionId, { key: 'rb', event: 'rolled-back', also: ['canary-aborted'] }));
      const s = await waitFor(
        () => handle.query(notificationStateQuery),
        (v) => v.timers.length === 0 && Object.keys(v.waiting).length === 0 && v.sent['rb|slack-update:C0DEPLOYS/1700000000.000001']?.outcome === 'sent',
        'the timers gone and the message updated',
      );
      assert.deepEqual(r.updates, [{ channel: 'C0DEPLOYS', ts: '1700000000.000001' }]);
      assert.equal(Object.keys(s.sent).length, 2, 'the request and the update; the rolled-back event goes to no route');
      await handle.signal(notificationEventSignal, event(promotionId, { key: 'end', event: 'promotion-finished', stage: null }));
      await handle.result();
    });
  });

  test('reminders and an escalation on timers; the decision stops them and updates every Slack message of the gate', async () => {
    const r = recorder([
      {
        name: 'approvers',
        on: ['approval-requested', 'approval-decided'],
        to: ['slack:#deploys', 'email:dave@example.com'],
        remindAfter: '1h',
        escalateAfter: '3h30m',
        escalateTo: ['email:cab@example.com'],
      },
    ]);
    const { worker, taskQueue } = await createTestWorker(env, { activities: r.activities });
    const promotionId = 'web@1.4.2-timers';
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof notificationWorkflow>('notificationWorkflow', {
        taskQueue,
        workflowId: notificationWorkflowId(promotionId),
        args: [{ promotionId }],
      });
      const state = () => handle.query(notificationStateQuery);
      const count = (s: NotificationState, what: RegExp) => Object.values(s.sent).filter((e) => what.test(`${e.event} ${e.target}`)).length;
      await handle.signal(
        notificationEventSignal,
        event(promotionId, { key: 'req', event: 'approval-requested', gate, at: new Date(await env.currentTimeMs()).toISOString() }),
      );
      await waitFor(state, (s) => count(s, /^req slack/) === 1 && s.timers.length === 2, 'the request and its two timers');

      await env.sleep(130 * 60_000);
      let s = await waitFor(state, (v) => count(v, /reminder\/approvers\/2 /) === 2, 'two reminders, to both targets');
      assert.equal(count(s, /reminder/), 4);
      assert.equal(count(s, /escalation/), 0, 'no escalation before 3h30m');

      await env.sleep(90 * 60_000);
      s = await waitFor(state, (v) => count(v, /escalation/) === 1 && count(v, /reminder\/approvers\/3 /) === 2, 'the third reminder and the escalation');
      assert.deepEqual(
        Object.values(s.sent)
          .filter((e) => /escalation/.test(e.event))
          .map((e) => e.target),
        ['email:cab@example.com'],
      );
      const threaded = r.deliveries.filter((d) => d.event.event === 'approval-reminder' && d.delivery.target.channel === 'slack');
      assert.ok(
        threaded.every((d) => d.thread?.ts === '1700000000.000001'),
        'Slack reminders answer in the request’s thread',
      );

      await handle.signal(
        notificationEventSignal,
        event(promotionId, { key: 'decided', event: 'approval-decided', gate, decision: { outcome: 'approved', by: ['dave'], comment: '', channel: 'link' } }),
      );
      s = await waitFor(state, (v) => v.timers.length === 0 && count(v, /^decided slack-update/) === 4, 'the decision: timers gone, 4 Slack messages updated');
      assert.deepEqual(r.updates.map((u) => u.ts).sort(), ['1700000000.000001', '1700000000.000002', '1700000000.000003', '1700000000.000004']);
      assert.equal(count(s, /^decided slack:/), 1, 'the decision itself goes to the route too');

      const before = r.deliveries.length;
      await env.sleep(5 * 3_600_000);
      await handle.signal(notificationEventSignal, event(promotionId, { key: 'end', event: 'promotion-finished', stage: null }));
      await handle.result();
      assert.equal(r.deliveries.length, before, 'no reminder after the decision (the route does not take promotion-finished)');
    });
  });
});
