/**
 * The notification channels with their real clients against real receivers
 * (activities/deliver.ts): e-mail through a real SMTP server (aiosmtpd) with a signed approval
 * link, a webhook to a local receiver that checks the HMAC, Teams to a local Workflows endpoint,
 * and Slack through the real @slack/web-api client against a local recorder — postMessage with
 * the buttons, then chat.update after the decision. Secrets never reach an error message.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import axios from 'axios';
import { createDeliveryActivities, CONFIG_FAILURE } from '../../activities/deliver.js';
import type { DeliveryRequest, DeliveryResult } from '../../activities/notify-contract.js';
import { verifyApprovalLink } from '../../src/identity/approval-link.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import type { NotificationEvent } from '../../src/notify/events.js';
import type { Delivery } from '../../src/notify/routes.js';
import { parseTarget, type Target } from '../../src/notify/targets.js';
import { createSecretResolver } from '../../src/providers/secrets.js';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp.js';
import { startNotifyRecorder, type NotifyRecorder } from '../support/notify-recorder.js';
import { rampMetric } from '../../src/observability/registry.js';

/** ramp_notifications_total{channel, outcome} in this process's registry. */
async function notifications(channel: string, outcome: string): Promise<number> {
  const { values } = await rampMetric('ramp_notifications_total').get();
  return values.find((v) => v.labels.channel === channel && v.labels.outcome === outcome)?.value ?? 0;
}

const HOOK_SECRET = 'hook-secret-0123456789abcdef';
const SLACK_TOKEN = 'test-slack-bot-token-channels';
const UI = 'https://ramp.example.test';

const request: NotificationEvent = {
  key: 'wf/run/7',
  event: 'approval-requested',
  kind: 'approval-waiting',
  promotionId: 'web@1.4.2',
  pipeline: 'web',
  stage: 'production',
  version: '1.4.2',
  message: 'production gate: waiting for 1 approval(s) from dave@example.test',
  at: new Date().toISOString(),
  gate: {
    name: 'gate',
    attempt: 1,
    commit: 'abc123'.padEnd(40, '0'),
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    eligible: ['dave@example.test'],
  },
};

function target(text: string): Target {
  const parsed = parseTarget(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.target;
}
const delivery = (text: string, secretRef: string | null = null, linkTtlMs = 24 * 3_600_000): Delivery => ({
  route: 'r',
  target: target(text),
  linkTtlMs,
  secretRef,
});

describe('notification channels (real clients, local receivers)', () => {
  let smtp: TestSmtpServer;
  let recorder: NotifyRecorder;
  let dir: string;
  let keys: Awaited<ReturnType<typeof generateDecisionKeys>>;
  let activities: ReturnType<typeof createDeliveryActivities>;
  const env = new MockActivityEnvironment();
  const run = (r: DeliveryRequest): Promise<DeliveryResult> => env.run((x: DeliveryRequest) => activities.deliverNotification(x), r);

  before(async () => {
    [smtp, recorder] = await Promise.all([startSmtpServer(), startNotifyRecorder(HOOK_SECRET)]);
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-notify-'));
    keys = await generateDecisionKeys('link-test');
    await writeFile(path.join(dir, 'signing.jwk.json'), JSON.stringify(keys.signing.jwk), { mode: 0o600 });
    activities = createDeliveryActivities({
      client: {} as Client,
      http: axios.create(),
      secrets: createSecretResolver({
        env: {
          RAMP_SECRET_HOOK_KEY: HOOK_SECRET,
          RAMP_SECRET_TEAMS_DEPLOYS: `${recorder.url}/teams?sig=teams-sig-0123456789`,
          RAMP_SECRET_SLACK_BOT_TOKEN: SLACK_TOKEN,
        },
      }),
      webhooks: [`${recorder.url}/legacy`],
      uiUrl: UI,
      linkKeyFile: path.join(dir, 'signing.jwk.json'),
      slackApiUrl: `${recorder.url}/api/`,
      smtp: { url: smtp.url, from: 'ramp@example.test' },
    });
  });

  after(async () => {
    await Promise.all([smtp?.stop(), recorder?.close(), dir && rm(dir, { recursive: true, force: true })]);
  });

  test('e-mail: the request with the release page and an approval link bound to the recipient and the gate', async () => {
    await run({ event: request, delivery: delivery('email:dave@example.test', null, 2 * 3_600_000), slackTokenRef: 'slack-bot-token' });
    const mail = await smtp.waitForMessage((m) => m.rcptTo.includes('dave@example.test'));
    assert.equal(mail.subject, '[ramp] web 1.4.2 waits for approval in production (gate)');
    assert.match(mail.text ?? '', /The release: https:\/\/ramp\.example\.test\/releases\/web%401\.4\.2/);
    const token = /https:\/\/ramp\.example\.test\/approve\/([A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1];
    assert.ok(token, mail.text ?? '');
    const verified = await verifyApprovalLink(token, keys.publicKeys);
    assert.ok(verified.ok, JSON.stringify(verified));
    assert.equal(verified.claims.approver, 'dave@example.test');
    assert.deepEqual(verified.claims.target, {
      promotionId: 'web@1.4.2',
      pipeline: 'web',
      version: '1.4.2',
      stage: 'production',
      gate: 'gate',
      attempt: 1,
      commit: request.gate!.commit,
    });
    const ttl = Date.parse(verified.claims.expiresAt) - Date.parse(verified.claims.issuedAt);
    assert.ok(ttl <= 3_600_000 + 1000, `the link dies with the gate (1h), not after the route's 2h: ${ttl} ms`);
  });

  test('webhook: signed; the receiver verifies the HMAC and the timestamp; the legacy URL gets unsigned JSON', async () => {
    const delivered = await notifications('webhook', 'delivered');
    await run({ event: request, delivery: delivery(`webhook:${recorder.url}/hook`, 'hook-key'), slackTokenRef: 'slack-bot-token' });
    const hook = await recorder.waitFor((c) => c.path === '/hook', 'signed webhook');
    assert.deepEqual(hook.signature, { ok: true });
    assert.equal(hook.json.event, 'approval-requested');
    assert.equal(hook.json.releaseUrl, 'https://ramp.example.test/releases/web%401.4.2');
    assert.match(String(hook.headers['x-ramp-delivery']), /^[0-9a-f]{32}$/);
    assert.equal(await notifications('webhook', 'delivered'), delivered + 1, 'ramp_notifications_total counts the delivery');

    await run({
      event: request,
      delivery: { route: 'RAMP_NOTIFY_WEBHOOKS', target: { channel: 'legacy', address: '0', id: 'legacy:0' }, linkTtlMs: 0, secretRef: null },
      slackTokenRef: 'x',
    });
    const legacy = await recorder.waitFor((c) => c.path === '/legacy', 'legacy webhook');
    assert.equal(legacy.headers['x-ramp-signature'], undefined);
    assert.deepEqual(
      [legacy.json.source, legacy.json.kind, legacy.json.promotionId, legacy.json.stage, legacy.json.event],
      ['ramp', 'approval-waiting', 'web@1.4.2', 'production', 'approval-requested'],
    );
  });

  test('webhook: a receiver that fails makes the delivery throw (retried by the workflow), without the secret', async () => {
    recorder.failNext('/hook', 1);
    const failed = await notifications('webhook', 'failed');
    const error = await run({ event: { ...request, key: 'fail' }, delivery: delivery(`webhook:${recorder.url}/hook`, 'hook-key'), slackTokenRef: 'x' }).catch(
      (e: unknown) => e as Error,
    );
    assert.ok(error instanceof Error);
    assert.match(error.message, /did not take the notification: HTTP 500/);
    assert.ok(!error.message.includes(HOOK_SECRET));
    assert.equal(await notifications('webhook', 'failed'), failed + 1, 'ramp_notifications_total counts the failure');
  });

  test('a missing secret is a configuration failure (not retried) that says where the secret is looked for', async () => {
    const error = await run({ event: request, delivery: delivery(`webhook:${recorder.url}/hook`, 'no-such-key'), slackTokenRef: 'x' }).catch(
      (e: unknown) => e as Error & { type?: string },
    );
    assert.ok(error instanceof Error);
    assert.equal(error.type, CONFIG_FAILURE);
    assert.match(error.message, /no secret no-such-key \(RAMP_SECRET_NO_SUCH_KEY or \$RAMP_SECRETS_DIR\/no-such-key\)/);
  });

  test('Teams: an Adaptive Card message posted to the Workflows URL from the secret', async () => {
    await run({
      event: { ...request, event: 'promoted', kind: 'stage-promoted', gate: undefined },
      delivery: delivery('teams:teams-deploys'),
      slackTokenRef: 'x',
    });
    const call = await recorder.waitFor((c) => c.path === '/teams', 'Teams post');
    const attachments = call.json.attachments as { contentType: string; content: { type: string; body: { text?: string }[] } }[];
    assert.equal(call.json.type, 'message');
    assert.equal(attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(attachments[0]!.content.type, 'AdaptiveCard');
    assert.equal(attachments[0]!.content.body[0]!.text, 'web 1.4.2 promoted to production');
  });

  test('Slack: postMessage with Approve/Reject buttons, then chat.update with the decision', async () => {
    const posted = await run({ event: request, delivery: delivery('slack:#deploys'), slackTokenRef: 'slack-bot-token' });
    assert.deepEqual(posted.slack, { channel: 'C0DEPLOYS', ts: '1700000000.000001' });
    const post = await recorder.waitFor((c) => c.path === '/api/chat.postMessage', 'chat.postMessage');
    assert.equal(post.headers.authorization, `Bearer ${SLACK_TOKEN}`);
    assert.equal(post.json.channel, '#deploys');
    const actions = (post.json.blocks as { type: string; elements?: { action_id: string; value?: string }[] }[]).find((b) => b.type === 'actions')!;
    const approve = actions.elements!.find((e) => e.action_id === 'ramp_approve')!;
    assert.deepEqual(JSON.parse(approve.value!), { promotionId: 'web@1.4.2', stage: 'production', gate: 'gate', attempt: 1, commit: request.gate!.commit });
    assert.ok(actions.elements!.some((e) => e.action_id === 'ramp_reject'));

    const decided: NotificationEvent = {
      ...request,
      key: 'decided',
      event: 'approval-decided',
      decision: { outcome: 'approved', by: ['dave'], comment: '', channel: 'link' },
    };
    await env.run((x: Parameters<typeof activities.updateSlackMessage>[0]) => activities.updateSlackMessage(x), {
      event: decided,
      message: posted.slack,
      slackTokenRef: 'slack-bot-token',
    });
    const update = await recorder.waitFor((c) => c.path === '/api/chat.update', 'chat.update');
    assert.equal(update.json.channel, 'C0DEPLOYS');
    assert.equal(update.json.ts, '1700000000.000001');
    assert.match(JSON.stringify(update.json.blocks), /gate approved by dave via link/);
    assert.doesNotMatch(JSON.stringify(update.json.blocks), /ramp_approve/);
  });

  test('Slack: an error answer throws (the workflow retries), naming the channel, without the token', async () => {
    const error = await run({ event: { ...request, key: 'nowhere' }, delivery: delivery('slack:#nowhere'), slackTokenRef: 'slack-bot-token' }).catch(
      (e: unknown) => e as Error,
    );
    assert.ok(error instanceof Error);
    assert.match(error.message, /posting to Slack #nowhere: .*channel_not_found/);
    assert.ok(!error.message.includes(SLACK_TOKEN));
  });

  test('Slack: without the bot token secret, a configuration failure', async () => {
    const noToken = createDeliveryActivities({
      client: {} as Client,
      http: axios.create(),
      secrets: createSecretResolver({ env: {} }),
      webhooks: [],
      slackApiUrl: `${recorder.url}/api/`,
    });
    const error = await env
      .run((x: DeliveryRequest) => noToken.deliverNotification(x), { event: request, delivery: delivery('slack:#deploys'), slackTokenRef: 'slack-bot-token' })
      .catch((e: unknown) => e as Error & { type?: string });
    assert.equal((error as { type?: string }).type, CONFIG_FAILURE);
    assert.match((error as Error).message, /no secret slack-bot-token/);
  });
});
