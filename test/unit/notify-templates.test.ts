/**
 * The default messages (src/notify/templates.ts): what each event says, the links it carries,
 * and each channel's form — Slack blocks with ramp_approve/ramp_reject buttons whose value ramp
 * server parses, a Teams Adaptive Card message, an e-mail, the signed and the legacy webhook bodies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotificationEvent } from '../../src/notify/events.js';
import {
  describeDecision,
  emailMessage,
  legacyBody,
  releaseUrl,
  renderMessage,
  slackDecidedMessage,
  slackEscape,
  slackMessage,
  teamsMessage,
  webhookBody,
} from '../../src/notify/templates.js';

const base: NotificationEvent = {
  key: 'k',
  event: 'approval-requested',
  kind: 'approval-waiting',
  promotionId: 'web@1.4.2',
  pipeline: 'web',
  stage: 'production',
  version: '1.4.2',
  message: 'production gate: waiting for 1 approval(s) from dave',
  at: '2026-11-30T10:00:00.000Z',
  gate: { name: 'gate', attempt: 2, commit: 'abcdef0123456789abcdef0123456789abcdef01', deadline: '2026-12-01T10:00:00.000Z', eligible: ['dave'] },
};
const UI = 'https://ramp.example.com/';

describe('titles of every event', () => {
  const cases: [Partial<NotificationEvent>, string][] = [
    [{}, 'web 1.4.2 waits for approval in production (gate)'],
    [{ event: 'approval-reminder' }, 'Reminder: web 1.4.2 still waits for approval in production (gate)'],
    [{ event: 'approval-escalated' }, 'Escalation: web 1.4.2 waits for approval in production (gate)'],
    [
      { event: 'approval-decided', decision: { outcome: 'approved', by: ['dave'], comment: '', channel: 'link' } },
      'web 1.4.2 in production (gate): approved by dave via link',
    ],
    [
      { event: 'approval-decided', decision: { outcome: 'rejected', by: ['erin'], comment: 'not today' } },
      'web 1.4.2 in production (gate): rejected by erin: "not today"',
    ],
    [{ event: 'approval-decided', decision: { outcome: 'timed-out', by: [], comment: '' } }, 'web 1.4.2 in production (gate): timed out without a decision'],
    [{ event: 'rolled-back', gate: undefined }, 'web 1.4.2 rolled back in production'],
    [{ event: 'rolled-back', also: ['canary-aborted'], gate: undefined }, 'web 1.4.2: canary aborted in production, rolled back'],
    [{ event: 'canary-aborted', gate: undefined }, 'web 1.4.2: canary aborted in production'],
    [{ event: 'promoted', gate: undefined }, 'web 1.4.2 promoted to production'],
    [{ event: 'analysis-inconclusive', gate: undefined }, 'web 1.4.2: analysis inconclusive in production; a person decides'],
    [{ event: 'drift-detected', version: '', gate: undefined }, 'Drift from Git in web/production'],
    [{ event: 'history-rewritten', gate: undefined }, 'web 1.4.2: the Git history under production was rewritten'],
    [{ event: 'promotion-finished', stage: null, gate: undefined }, 'web 1.4.2: promotion finished'],
  ];
  for (const [change, title] of cases) {
    test(title, () => assert.equal(renderMessage({ ...base, ...change }, { uiUrl: null }).title, title));
  }
});

describe('links', () => {
  test('the release page: RAMP_UI_URL without its trailing slash, the id encoded', () => {
    assert.equal(releaseUrl(UI, 'web@1.4.2/x'), 'https://ramp.example.com/releases/web%401.4.2%2Fx');
    assert.equal(releaseUrl(null, 'web@1.4.2'), null);
  });

  test('an approval link only where a decision is asked for, and only with RAMP_UI_URL', () => {
    assert.equal(renderMessage(base, { uiUrl: UI, approvalToken: 'tok' }).approvalUrl, 'https://ramp.example.com/approve/tok');
    assert.equal(
      renderMessage({ ...base, event: 'approval-escalated' }, { uiUrl: UI, approvalToken: 'tok' }).approvalUrl,
      'https://ramp.example.com/approve/tok',
    );
    assert.equal(renderMessage({ ...base, event: 'promoted' }, { uiUrl: UI, approvalToken: 'tok' }).approvalUrl, null);
    assert.equal(renderMessage(base, { uiUrl: null, approvalToken: 'tok' }).approvalUrl, null);
  });

  test('facts: the gate with its attempt, the short commit, who can approve, the deadline', () => {
    assert.deepEqual(renderMessage(base, { uiUrl: null }).facts, [
      ['Pipeline', 'web'],
      ['Version', '1.4.2'],
      ['Stage', 'production'],
      ['Gate', 'gate (attempt 2)'],
      ['Commit', 'abcdef012345'],
      ['Who can approve', 'dave'],
      ['Times out', '2026-12-01T10:00:00.000Z'],
    ]);
  });
});

describe('Slack', () => {
  test('an approval request has Approve and Reject buttons whose value names the gate exactly', () => {
    const message = slackMessage(base, renderMessage(base, { uiUrl: UI }));
    const actions = message.blocks.find((b) => b.type === 'actions') as { elements: { action_id: string; value?: string; url?: string }[] };
    assert.deepEqual(
      actions.elements.map((e) => e.action_id),
      ['ramp_approve', 'ramp_reject', 'ramp_open'],
    );
    for (const button of actions.elements.slice(0, 2)) {
      assert.deepEqual(JSON.parse(button.value!), {
        promotionId: 'web@1.4.2',
        stage: 'production',
        gate: 'gate',
        attempt: 2,
        commit: 'abcdef0123456789abcdef0123456789abcdef01',
      });
    }
    assert.equal(actions.elements[2]!.url, 'https://ramp.example.com/releases/web%401.4.2');
  });

  test('no buttons where nothing is to be decided; text is escaped', () => {
    const event: NotificationEvent = { ...base, event: 'promoted', message: '<b>&</b>', gate: undefined };
    const message = slackMessage(event, renderMessage(event, { uiUrl: null }));
    assert.equal(
      message.blocks.some((b) => b.type === 'actions'),
      false,
    );
    assert.match(JSON.stringify(message.blocks), /&lt;b&gt;&amp;&lt;\/b&gt;/);
    assert.equal(slackEscape('a<b>&c'), 'a&lt;b&gt;&amp;c');
  });

  test('the update after a decision says who decided and how, without buttons', () => {
    const decided: NotificationEvent = { ...base, event: 'approval-decided', decision: { outcome: 'approved', by: ['dave'], comment: '', channel: 'link' } };
    const update = slackDecidedMessage(decided, renderMessage(decided, { uiUrl: UI }));
    const text = JSON.stringify(update.blocks);
    assert.match(text, /gate approved by dave via link/);
    assert.doesNotMatch(text, /ramp_approve|ramp_reject/);
  });

  test('the update of a gate left undecided says what ended it', () => {
    const rolledBack: NotificationEvent = { ...base, event: 'rolled-back', gate: undefined };
    const update = slackDecidedMessage(rolledBack, renderMessage(rolledBack, { uiUrl: null }));
    assert.match(JSON.stringify(update.blocks), /no longer waiting for a decision: web 1\.4\.2 rolled back in production/);
  });
});

describe('Teams, e-mail and webhooks', () => {
  test('Teams: a message with one Adaptive Card, facts, and the two links as actions', () => {
    const card = teamsMessage(renderMessage(base, { uiUrl: UI, approvalToken: 'tok' })) as {
      type: string;
      attachments: { contentType: string; content: { type: string; version: string; body: { type: string }[]; actions: { url: string }[] } }[];
    };
    assert.equal(card.type, 'message');
    assert.equal(card.attachments.length, 1);
    assert.equal(card.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    const content = card.attachments[0]!.content;
    assert.equal(content.type, 'AdaptiveCard');
    assert.deepEqual(
      content.body.map((b) => b.type),
      ['TextBlock', 'TextBlock', 'FactSet'],
    );
    assert.deepEqual(
      content.actions.map((a) => a.url),
      ['https://ramp.example.com/approve/tok', 'https://ramp.example.com/releases/web%401.4.2'],
    );
  });

  test('e-mail: subject, the approval link and the release page in text and HTML, HTML escaped', () => {
    const event = { ...base, message: 'a <script> & "quotes"' };
    const mail = emailMessage(renderMessage(event, { uiUrl: UI, approvalToken: 'tok' }));
    assert.equal(mail.subject, '[ramp] web 1.4.2 waits for approval in production (gate)');
    assert.match(mail.text, /Approve or reject .*: https:\/\/ramp\.example\.com\/approve\/tok/);
    assert.match(mail.text, /The release: https:\/\/ramp\.example\.com\/releases\/web%401\.4\.2/);
    assert.match(mail.html, /href="https:\/\/ramp\.example\.com\/approve\/tok"/);
    assert.match(mail.html, /a &lt;script&gt; &amp; &quot;quotes&quot;/);
  });

  test('the legacy body keeps today’s fields and adds the new ones', () => {
    const body = legacyBody(base, renderMessage(base, { uiUrl: UI }));
    assert.deepEqual(Object.keys(body).slice(0, 7), ['source', 'kind', 'promotionId', 'pipeline', 'stage', 'version', 'message']);
    assert.equal(body.kind, 'approval-waiting');
    assert.equal(body.event, 'approval-requested');
    assert.equal(body.releaseUrl, 'https://ramp.example.com/releases/web%401.4.2');
  });

  test('the signed body carries sentAt (the timestamp header says the same)', () => {
    const body = webhookBody(base, renderMessage(base, { uiUrl: null }), '2026-11-30T10:00:01.000Z');
    assert.equal(body.sentAt, '2026-11-30T10:00:01.000Z');
    assert.equal(body.event, 'approval-requested');
    assert.deepEqual(body.gate, base.gate);
  });

  test('decisions in words', () => {
    assert.equal(describeDecision({ outcome: 'approved', by: ['a', 'b'], comment: 'ok', channel: 'slack' }), 'approved by a, b via slack: "ok"');
  });
});
