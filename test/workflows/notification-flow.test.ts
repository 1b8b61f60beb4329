/**
 * Notifications of a real promotion (dev server): the stage's approval gate reaches the release's
 * notification workflow through the real `notify` activity (signalWithStart), which reads the
 * routes the promotion pinned and delivers with the real channels — Slack through
 * @slack/web-api to a local recorder, e-mail through a real SMTP server (aiosmtpd), a signed
 * webhook — and after the approval replaces the Slack message with the decision. Git and the
 * rest of the promotion are ramp's own fake activities (test/support/fake-activities.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { createDeliveryActivities } from '../../activities/deliver.js';
import { createNotifyActivities } from '../../activities/notify.js';
import { verifyApprovalLink } from '../../src/identity/approval-link.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { createSecretResolver } from '../../src/providers/secrets.js';
import { Notifications } from '../../src/schema/notifications.js';
import { approveUpdate, promotionWorkflowId, stageWorkflowId } from '../../workflows/messages.js';
import { notificationStateQuery, notificationWorkflowId } from '../../workflows/notification-messages.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import type { promotionWorkflow } from '../../workflows/promotion.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp.js';
import { fakeRamp } from '../support/fake-activities.js';
import { startNotifyRecorder, type NotifyRecorder } from '../support/notify-recorder.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { recordWorkflows } from '../replay/record.js';

const HOOK_SECRET = 'flow-hook-secret-0123456789';

describe('notifications of a promotion (real notify activity and channels)', () => {
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  let recorder: NotifyRecorder;
  let dir: string;
  before(async () => {
    [env, smtp, recorder] = await Promise.all([getTestEnv(), startSmtpServer(), startNotifyRecorder(HOOK_SECRET)]);
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-notify-flow-'));
  });
  after(async () => {
    await Promise.all([env?.teardown(), smtp?.stop(), recorder?.close(), dir && rm(dir, { recursive: true, force: true })]);
  });

  test('approval requested → Slack buttons and an e-mailed link; approved → the Slack message says so', async () => {
    const keys = await generateDecisionKeys('flow');
    await writeFile(path.join(dir, 'link.jwk.json'), JSON.stringify(keys.signing.jwk));
    const pipeline = {
      ...seedPipeline({ name: uniqueName('notify'), stages: { production: { with: ['approval: { approvers: [dave@example.test] }'] } } }),
      notifications: Notifications.parse({
        routes: [
          { name: 'approvers', on: ['approval-requested', 'approval-decided'], to: ['slack:#deploys', 'email:dave@example.test'] },
          { name: 'audit', on: ['*'], to: [`webhook:${recorder.url}/hook`], secretRef: 'hook-key' },
        ],
      }),
    };
    const fake = fakeRamp();
    const activities = {
      ...fake.activities,
      ...createNotifyActivities({ client: env.client }),
      ...createDeliveryActivities({
        client: env.client,
        http: axios.create(),
        secrets: createSecretResolver({ env: { RAMP_SECRET_HOOK_KEY: HOOK_SECRET, RAMP_SECRET_SLACK_BOT_TOKEN: 'test-slack-bot-token-flow' } }),
        webhooks: [],
        uiUrl: 'https://ramp.example.test',
        linkKeyFile: path.join(dir, 'link.jwk.json'),
        slackApiUrl: `${recorder.url}/api/`,
        smtp: { url: smtp.url, from: 'ramp@example.test' },
      }),
    };
    let gateCommit = '';
    const { worker, taskQueue } = await createTestWorker(env, { activities });
    const promotionId = promotionWorkflowId(pipeline.name, '1.4.2');
    const stage = (name: string) => env.client.workflow.getHandle(stageWorkflowId(pipeline.name, name));
    // The worker runs until the notification workflow has delivered the promotion's last event.
    const { result, hooks, state } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
        taskQueue,
        workflowId: promotionId,
        args: [{ apiVersion: 'ramp/v1', pipeline, version: '1.4.2', requestedBy: 'rm', kind: 'promote' }],
      });
      const post = await recorder.waitFor((c) => c.path === '/api/chat.postMessage', 'the approval request in Slack');
      const elements = (post.json.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find(
        (b) => b.type === 'actions',
      )!.elements!;
      const value = JSON.parse(elements.find((e) => e.action_id === 'ramp_approve')!.value!) as Record<string, unknown>;
      assert.deepEqual({ ...value, commit: undefined }, { promotionId, stage: 'production', gate: 'gate', attempt: 1, commit: undefined });
      gateCommit = String(value.commit);
      assert.match(gateCommit, /^[0-9a-f]{40}$/);

      const mail = await smtp.waitForMessage((m) => m.rcptTo.includes('dave@example.test'));
      const token = /\/approve\/([A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1];
      const link = await verifyApprovalLink(token ?? '', keys.publicKeys);
      assert.ok(link.ok, JSON.stringify(link));
      assert.deepEqual(link.claims.target, {
        promotionId,
        pipeline: pipeline.name,
        version: '1.4.2',
        stage: 'production',
        gate: 'gate',
        attempt: 1,
        commit: gateCommit,
      });

      await stage('production').executeUpdate(approveUpdate, { args: [{ promotionId, actor: 'dave@example.test', comment: 'go' }] });
      const update = await recorder.waitFor((c) => c.path === '/api/chat.update', 'the Slack message updated after the decision');
      assert.equal(update.json.ts, post.json.ts ?? '1700000000.000001');
      assert.match(JSON.stringify(update.json.blocks), /gate approved by dave@example\.test via cli: \\"go\\"/);
      const result = await promotionOutcome(handle.result());
      const hooks = await waitFor(
        () => Promise.resolve(recorder.calls.filter((c) => c.path === '/hook').map((c) => c.json.event)),
        (events) => events.includes('promotion-finished'),
        'the promotion-finished webhook',
        60_000,
      );
      const state = await env.client.workflow.getHandle(notificationWorkflowId(promotionId)).query(notificationStateQuery);
      // With RAMP_RECORD_HISTORIES=1: the promotion with its notify calls, and the notification workflow (test/replay).
      await recordWorkflows(env, 'notify-routes', pipeline.name, notificationWorkflowId(promotionId));
      return { result, hooks, state };
    });
    assert.equal(result.phase, 'Succeeded');

    assert.deepEqual([...new Set(hooks)].sort(), ['approval-decided', 'approval-requested', 'promoted', 'promotion-finished']);
    assert.equal(hooks.length, new Set(hooks).size, 'each event once');
    assert.ok(
      recorder.calls.filter((c) => c.path === '/hook').every((c) => c.signature?.ok),
      'every webhook signed',
    );
    assert.equal(state.routes?.routes.length, 2, 'the routes came from the promotion’s pinned pipeline');
    assert.equal(state.finished, true);

    // A drift watch of the pipeline takes the routes of its newest promotion.
    const drift = await waitFor(
      () => activities.notificationRoutes({ promotionId: `${pipeline.name}/production:drift` }),
      (r) => r.routes.length === 2,
      'the drift watch’s routes (visibility catches up)',
      60_000,
    );
    assert.deepEqual(
      drift.routes.map((r) => r.name),
      ['approvers', 'audit'],
    );
  });
});
