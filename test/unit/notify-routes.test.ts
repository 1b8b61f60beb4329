/**
 * Notification routes (docs/notifications.md): target parsing, the pipeline's notifications block
 * through the real loader (located errors), and which targets and timers an event gets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NotificationEvent } from '../../src/notify/events.js';
import { linkExpiry } from '../../src/notify/links.js';
import { deliveriesFor, gatesSettledBy, timerDeliveries, timerEvent, timersFor } from '../../src/notify/routes.js';
import { parseTarget } from '../../src/notify/targets.js';
import { loadPipelineSource } from '../../src/schema/load.js';
import { Notifications, type RouteSpec } from '../../src/schema/notifications.js';

describe('route targets', () => {
  const cases: [string, string | RegExp][] = [
    ['slack:#deploys', 'slack:#deploys'],
    ['slack:#Deploys', 'slack:#deploys'],
    [' slack:C0123ABCD ', 'slack:C0123ABCD'],
    ['SLACK:#ops_alerts', 'slack:#ops_alerts'],
    ['teams:teams-deploys', 'teams:teams-deploys'],
    ['email:Dave@Example.com', 'email:dave@example.com'],
    ['mailto:cab@example.org', 'email:cab@example.org'],
    ['webhook:https://hooks.example.com/ramp', 'webhook:https://hooks.example.com/ramp'],
    ['webhook:http://127.0.0.1:9/x?y=1', 'webhook:http://127.0.0.1:9/x?y=1'],
    ['slack:deploys', /is not a Slack channel/],
    ['slack:#', /is not a Slack channel/],
    ['teams:https://prod.westeurope.logic.azure.com/workflows/x?sig=abc', /must not be written in the pipeline/],
    ['teams:', /does not name a secret/],
    ['email:dave', /is not an e-mail address/],
    ['email:dave@localhost', /is not an e-mail address/],
    ['webhook:ftp://x.example/y', /http\(s\) URL/],
    ['webhook:https://user:pw@x.example/y', /must not carry credentials/],
    ['webhook:not a url', /is not a URL/],
    ['pagerduty:abc', /is not a target/],
    ['#deploys', /is not a target/],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${String(expected)}`, () => {
      const parsed = parseTarget(input);
      if (typeof expected === 'string') {
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.equal(parsed.target.id, expected);
      } else {
        assert.ok(!parsed.ok);
        assert.match(parsed.error, expected);
      }
    });
  }

  test('a Teams URL given as a target is never echoed (it carries its signature)', () => {
    const parsed = parseTarget('teams:https://x.example/workflows/1?sig=SECRETSIG123');
    assert.ok(!parsed.ok);
    assert.ok(!parsed.error.includes('SECRETSIG123'), parsed.error);
  });
});

const PIPELINE = (notifications: string) => `apiVersion: ramp/v1
kind: Pipeline
metadata: { name: web }
spec:
  repository: { url: /tmp/gitops }
  artifact: { image: web }
  stages:
    - name: production
      path: envs/production
      update: [{ kustomizeImage: { name: web } }]
  notifications:
${notifications}`;

function findings(notifications: string): string[] {
  const result = loadPipelineSource(PIPELINE(notifications), 'web.yaml');
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column} ${e.message}`);
}

describe('the notifications block (loader)', () => {
  test('a valid block is normalised: targets parsed, durations in ms, defaults filled', () => {
    const result = loadPipelineSource(
      PIPELINE(`    slack: { tokenRef: ramp-slack }
    routes:
      - name: approvers
        on: [approval-requested, approval-decided]
        to: ["slack:#deploys", "email:dave@example.com"]
        stages: [production]
        remindAfter: 4h
        escalateAfter: 1d
        escalateTo: ["teams:cab-channel"]
      - on: ["*"]
        to: ["webhook:https://hooks.example.com/ramp"]
        secretRef: hook-key
        linkTtl: 2h`),
      'web.yaml',
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    const n = result.spec.notifications!;
    assert.equal(n.slackTokenRef, 'ramp-slack');
    assert.deepEqual(
      n.routes.map((r) => [
        r.name,
        r.on.length,
        r.to.map((t) => t.id),
        r.stages,
        r.remindAfterMs,
        r.escalateAfterMs,
        r.escalateTo.map((t) => t.id),
        r.linkTtlMs,
        r.secretRef,
      ]),
      [
        ['approvers', 2, ['slack:#deploys', 'email:dave@example.com'], ['production'], 4 * 3_600_000, 86_400_000, ['teams:cab-channel'], 86_400_000, null],
        ['route-2', 12, ['webhook:https://hooks.example.com/ramp'], null, null, null, [], 2 * 3_600_000, 'hook-key'],
      ],
    );
  });

  test('without a block, the spec says null (only RAMP_NOTIFY_WEBHOOKS)', () => {
    const result = loadPipelineSource(PIPELINE('    routes: []').replace(/\n {2}notifications:\n {4}routes: \[\]$/, ''), 'web.yaml');
    assert.ok(result.ok);
    assert.equal(result.spec.notifications, null);
  });

  const bad: [string, string, RegExp][] = [
    ['unknown event', `    routes:\n      - on: [deployed]\n        to: ["slack:#x"]`, /^13:14 .*deployed/],
    ['a Teams URL', `    routes:\n      - on: [promoted]\n        to: ["teams:https://x.example/w?sig=1"]`, /^14:14 a Teams Workflows URL/],
    ['no targets', `    routes:\n      - on: [promoted]\n        to: []`, /^14:13 a route sends to at least one target/],
    [
      'webhook without secretRef',
      `    routes:\n      - on: [promoted]\n        to: ["slack:#x", "webhook:https://h.example/x"]`,
      /^14:26 a webhook target needs the route’s secretRef/,
    ],
    [
      'escalateAfter without escalateTo',
      `    routes:\n      - on: [approval-requested]\n        to: ["slack:#x"]\n        escalateAfter: 1h`,
      /escalateAfter needs escalateTo/,
    ],
    [
      'reminders without requests',
      `    routes:\n      - on: [promoted]\n        to: ["slack:#x"]\n        remindAfter: 1h`,
      /^15:\d+ reminders and escalations follow an approval request/,
    ],
    ['a zero reminder', `    routes:\n      - on: [approval-requested]\n        to: ["slack:#x"]\n        remindAfter: 0s`, /^15:22 .*positive duration/],
    ['a secret in the block', `    routes:\n      - on: [promoted]\n        to: ["slack:#x"]\n        token: abc-123`, /^15:9 .*token/],
  ];
  for (const [name, block, expected] of bad) {
    test(`refused with its line: ${name}`, () => {
      const found = findings(block);
      assert.ok(
        found.some((f) => expected.test(f)),
        found.join('\n'),
      );
    });
  }
});

const routes: RouteSpec[] = Notifications.parse({
  routes: [
    {
      name: 'approvers',
      on: ['approval-requested', 'approval-decided'],
      to: ['slack:#deploys', 'email:dave@example.com'],
      stages: ['production'],
      remindAfter: '1h',
      escalateAfter: '3h',
      escalateTo: ['email:cab@example.com'],
    },
    { name: 'everything', on: ['*'], to: ['slack:#deploys', 'webhook:https://h.example/x'], secretRef: 'k' },
    { name: 'failures', on: ['canary-aborted'], to: ['teams:oncall'] },
  ],
}).routes;

const request: NotificationEvent = {
  key: 'k1',
  event: 'approval-requested',
  kind: 'approval-waiting',
  promotionId: 'web@1.4.2',
  pipeline: 'web',
  stage: 'production',
  version: '1.4.2',
  message: 'waiting',
  at: '2026-11-30T10:00:00.000Z',
  gate: { name: 'gate', attempt: 1, commit: 'a'.repeat(40), deadline: null, eligible: ['dave@example.com'] },
};

describe('deliveries, timers and their end', () => {
  test('each target once, the first route naming it; then each legacy URL', () => {
    assert.deepEqual(
      deliveriesFor(routes, request, 2).map((d) => `${d.route} ${d.target.id}`),
      [
        'approvers slack:#deploys',
        'approvers email:dave@example.com',
        'everything webhook:https://h.example/x',
        'RAMP_NOTIFY_WEBHOOKS legacy:RAMP_NOTIFY_WEBHOOKS[0]',
        'RAMP_NOTIFY_WEBHOOKS legacy:RAMP_NOTIFY_WEBHOOKS[1]',
      ],
    );
  });

  test('stage filters and `also` events', () => {
    const staging = { ...request, stage: 'staging' };
    assert.deepEqual(
      deliveriesFor(routes, staging, 0).map((d) => d.target.id),
      ['slack:#deploys', 'webhook:https://h.example/x'],
    );
    const rolledBack: NotificationEvent = { ...request, event: 'rolled-back', also: ['canary-aborted'] };
    assert.deepEqual(
      deliveriesFor(routes, rolledBack, 0).map((d) => `${d.route} ${d.target.id}`),
      ['everything slack:#deploys', 'everything webhook:https://h.example/x', 'failures teams:oncall'],
    );
  });

  test('an approval request starts the timers of the routes that ask for them', () => {
    const now = Date.parse(request.at);
    assert.deepEqual(timersFor(routes, request, now), [
      { gate: 'production/1/gate', route: 'approvers', kind: 'reminder', at: now + 3_600_000, sent: 0 },
      { gate: 'production/1/gate', route: 'approvers', kind: 'escalation', at: now + 3 * 3_600_000, sent: 0 },
    ]);
    assert.deepEqual(timersFor(routes, { ...request, stage: 'staging' }, now), []);
    assert.deepEqual(timersFor(routes, { ...request, event: 'promoted' }, now), []);
  });

  test('a reminder goes to the route’s targets, an escalation to its escalateTo, each with its own key', () => {
    const [reminder, escalation] = timersFor(routes, request, 0);
    const r = timerEvent(reminder!, request, 90 * 60_000);
    assert.equal(r.event, 'approval-reminder');
    assert.equal(r.key, 'k1/reminder/approvers/1');
    assert.match(r.message, /still waits for approval after 1h30m/);
    assert.deepEqual(
      timerDeliveries(routes, reminder!).map((d) => d.target.id),
      ['slack:#deploys', 'email:dave@example.com'],
    );
    const e = timerEvent(escalation!, request, 3 * 3_600_000);
    assert.equal(e.event, 'approval-escalated');
    assert.equal(e.key, 'k1/escalation/approvers');
    assert.deepEqual(
      timerDeliveries(routes, escalation!).map((d) => d.target.id),
      ['email:cab@example.com'],
    );
  });

  const pending = ['production/1/gate', 'production/1/step 3', 'staging/2/gate'];
  const settled: [string, Partial<NotificationEvent>, string[]][] = [
    ['the decision of one gate', { event: 'approval-decided' }, ['production/1/gate']],
    ['the stage promoted', { event: 'promoted', gate: undefined }, ['production/1/gate', 'production/1/step 3']],
    ['a canary rolled back', { event: 'rolled-back', also: ['canary-aborted'], gate: undefined }, ['production/1/gate', 'production/1/step 3']],
    ['the promotion finished', { event: 'promotion-finished', stage: null, gate: undefined }, pending],
    ['a reminder', { event: 'approval-reminder' }, []],
    ['an inconclusive analysis', { event: 'analysis-inconclusive', gate: undefined }, []],
  ];
  for (const [name, change, expected] of settled) {
    test(`timers end on ${name}`, () => {
      assert.deepEqual(gatesSettledBy({ ...request, ...change }, pending), expected);
    });
  }

  const expiries: [string, number, string | null, number | null][] = [
    ['the TTL without a deadline', 3_600_000, null, 3_600_000],
    ['cut at the gate’s deadline', 3_600_000, new Date(600_000).toISOString(), 600_000],
    ['the TTL before the deadline', 60_000, new Date(600_000).toISOString(), 60_000],
    ['none once the deadline passed', 3_600_000, new Date(0).toISOString(), null],
  ];
  for (const [name, ttl, deadline, expected] of expiries) {
    test(`link expiry: ${name}`, () => assert.equal(linkExpiry(0, ttl, deadline), expected));
  }
});
