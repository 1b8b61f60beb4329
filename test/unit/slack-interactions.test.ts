/**
 * Slack interactions' pure parts (server/integrations/slack/): the request signature checked by
 * Slack's own verifier (with Slack's documented example), the ±5 minute window, the payload of a
 * ramp button, and the users file. The route end to end is test/e2e/slack-approvals.test.ts.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { isValidSlackRequest } from '@slack/bolt';
import { parseSlackInteraction } from '../../server/integrations/slack/payload.js';
import { parseSlackUsers, slackActor, slackPerson } from '../../server/integrations/slack/users.js';
import { slackRequestRefusal } from '../../server/integrations/slack/verify.js';

/** Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack). */
const SLACK_EXAMPLE = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: 1531420618,
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

const sign = (secret: string, timestamp: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

describe("Slack's request signature", () => {
  const at = SLACK_EXAMPLE.timestamp * 1000;

  test("Slack's documented example verifies with bolt's verifier and with ramp's check", () => {
    assert.equal(sign(SLACK_EXAMPLE.signingSecret, SLACK_EXAMPLE.timestamp, SLACK_EXAMPLE.body), SLACK_EXAMPLE.signature);
    assert.ok(
      isValidSlackRequest({
        signingSecret: SLACK_EXAMPLE.signingSecret,
        body: SLACK_EXAMPLE.body,
        headers: { 'x-slack-signature': SLACK_EXAMPLE.signature, 'x-slack-request-timestamp': SLACK_EXAMPLE.timestamp },
        nowMilliseconds: at,
      }),
    );
    const request = { body: SLACK_EXAMPLE.body, signature: SLACK_EXAMPLE.signature, timestamp: String(SLACK_EXAMPLE.timestamp) };
    assert.equal(slackRequestRefusal(SLACK_EXAMPLE.signingSecret, request, at), null);
  });

  test('stale, future, altered, foreign and missing signatures are refused, with the reason', () => {
    const request = { body: SLACK_EXAMPLE.body, signature: SLACK_EXAMPLE.signature, timestamp: String(SLACK_EXAMPLE.timestamp) };
    const table: [string, Parameters<typeof slackRequestRefusal>, RegExp][] = [
      ['5 min 1 s later', [SLACK_EXAMPLE.signingSecret, request, at + 301_000], /more than 5 minutes old/],
      ['5 min 1 s earlier', [SLACK_EXAMPLE.signingSecret, request, at - 301_000], /more than 5 minutes in the future/],
      ['an altered body', [SLACK_EXAMPLE.signingSecret, { ...request, body: `${request.body}&x=1` }, at], /does not match/],
      ['another secret', ['another-secret', request, at], /does not match/],
      ['another timestamp', [SLACK_EXAMPLE.signingSecret, { ...request, timestamp: String(SLACK_EXAMPLE.timestamp + 1) }, at], /does not match/],
      ['v1', [SLACK_EXAMPLE.signingSecret, { ...request, signature: request.signature.replace('v0=', 'v1=') }, at], /not a v0 signature/],
      ['no signature', [SLACK_EXAMPLE.signingSecret, { ...request, signature: undefined }, at], /no X-Slack-Signature/],
      ['no timestamp', [SLACK_EXAMPLE.signingSecret, { ...request, timestamp: undefined }, at], /no X-Slack-Signature or X-Slack-Request-Timestamp/],
      ['a timestamp in words', [SLACK_EXAMPLE.signingSecret, { ...request, timestamp: 'yesterday' }, at], /not a Unix time/],
    ];
    for (const [what, args, reason] of table) assert.match(slackRequestRefusal(...args) ?? 'accepted', reason, what);
    // Within the window both ways.
    assert.equal(slackRequestRefusal(SLACK_EXAMPLE.signingSecret, request, at + 299_000), null);
    assert.equal(slackRequestRefusal(SLACK_EXAMPLE.signingSecret, request, at - 299_000), null);
  });
});

describe("a ramp button's payload", () => {
  const value = { promotionId: 'web@1.2.0', stage: 'production', gate: 'gate', attempt: 1, commit: 'a'.repeat(40) };
  const payload = (over: Record<string, unknown> = {}, action: Record<string, unknown> = {}) =>
    `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: 'U1', username: 'dave', team_id: 'T1' },
        team: { id: 'T1' },
        response_url: 'https://hooks.slack.com/actions/T1/1/x',
        actions: [{ action_id: 'ramp_approve', value: JSON.stringify(value), ...action }],
        ...over,
      }),
    )}`;

  test('approve and reject clicks', () => {
    const approve = parseSlackInteraction(payload());
    assert.deepEqual(approve, {
      ok: true,
      interaction: { action: 'approve', value, user: { id: 'U1', name: 'dave', teamId: 'T1' }, responseUrl: 'https://hooks.slack.com/actions/T1/1/x' },
    });
    const reject = parseSlackInteraction(payload({}, { action_id: 'ramp_reject' }));
    assert.equal(reject.ok && reject.interaction.action, 'reject');
  });

  test('anything else is a reason; clicks that are not ramp buttons are ignored', () => {
    const table: [string, string, boolean, RegExp][] = [
      ['no payload', 'foo=bar', false, /no payload field/],
      ['not JSON', 'payload=%7Bnope', false, /not JSON/],
      ['an array', `payload=${encodeURIComponent('[]')}`, false, /not a JSON object/],
      ['a view submission', payload({ type: 'view_submission' }), true, /view_submission interaction/],
      ['another button', payload({}, { action_id: 'other' }), true, /not on a ramp approval button/],
      ['no user', payload({ user: null }), false, /names no user/],
      ['no value', payload({}, { value: undefined }), false, /value is missing/],
      ['a value that is not JSON', payload({}, { value: '{' }), false, /value is not JSON/],
      ['no gate', payload({}, { value: JSON.stringify({ ...value, gate: '' }) }), false, /does not name a promotion, stage and gate/],
      ['attempt 0', payload({}, { value: JSON.stringify({ ...value, attempt: 0 }) }), false, /no attempt/],
      ['a numeric commit', payload({}, { value: JSON.stringify({ ...value, commit: 5 }) }), false, /no commit/],
    ];
    for (const [what, body, ignore, reason] of table) {
      const parsed = parseSlackInteraction(body);
      assert.ok(!parsed.ok, what);
      assert.equal(parsed.ignore, ignore, what);
      assert.match(parsed.reason, reason, what);
    }
  });

  test('a response_url that is not http(s) is dropped', () => {
    const parsed = parseSlackInteraction(payload({ response_url: 'javascript:alert(1)' }));
    assert.equal(parsed.ok && parsed.interaction.responseUrl, null);
  });
});

describe('the Slack users file', () => {
  const users = parseSlackUsers(
    {
      U1: { subject: 'dave', name: 'Dave Dunn', email: 'dave@example.test', groups: ['product', 'product'], issuer: 'https://idp.test' },
      'Carol@Example.test': { subject: 'carol', groups: ['sre'], issuer: 'https://idp.test' },
    },
    'users.json',
  );

  test('by Slack id, else by the e-mail Slack verified (key or entry), case-insensitive', () => {
    assert.equal(slackPerson(users, 'U1', null)?.subject, 'dave');
    assert.equal(slackPerson(users, 'U9', 'carol@example.TEST')?.subject, 'carol');
    assert.equal(slackPerson(users, 'U9', 'DAVE@example.test')?.subject, 'dave');
    assert.equal(slackPerson(users, 'U9', null), null);
    assert.equal(slackPerson(users, 'U9', 'mallory@example.test'), null);
  });

  test('the actor is the mapped person, established through Slack', () => {
    assert.deepEqual(slackActor(slackPerson(users, 'U1', null)!), {
      subject: 'dave',
      name: 'Dave Dunn',
      email: 'dave@example.test',
      groups: ['product'],
      issuer: 'https://idp.test',
      method: 'slack',
    });
    assert.equal(slackPerson(users, 'U9', 'carol@example.test')!.name, 'Carol@Example.test');
  });

  test('a bad file says which entry and what is wrong', () => {
    assert.throws(() => parseSlackUsers([], 'u.json'), /u\.json is not a JSON object/);
    assert.throws(() => parseSlackUsers({ U1: { issuer: 'x' } }, 'u.json'), /entry "U1" has no subject/);
    assert.throws(() => parseSlackUsers({ U1: { subject: 'a' } }, 'u.json'), /entry "U1" has no issuer/);
    assert.throws(() => parseSlackUsers({ U1: { subject: 'a', issuer: 'x', groups: 'sre' } }, 'u.json'), /groups that are not a list/);
  });
});
