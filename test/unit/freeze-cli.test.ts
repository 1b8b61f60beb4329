import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderFreeze } from '../../cli/commands/freeze.js';
import type { Actor } from '../../src/identity/actor.js';
import { ramp } from '../cli/helpers.js';

const bob: Actor = { subject: 'bob', name: 'Bob Baker', email: null, groups: ['sre'], issuer: 'https://idp', method: 'oidc' };

describe('ramp freeze: usage errors before anything is sent', () => {
  // No Temporal and no server anywhere: a usage error must not try to reach either.
  const env = { TEMPORAL_ADDRESS: '127.0.0.1:9', RAMP_USER: 'rm' };
  for (const [args, error] of [
    [['freeze', 'thaw'], /unknown verb "thaw": ramp freeze, ramp freeze declare or ramp freeze lift/],
    [['freeze', 'declare'], /--reason is required: say why you declare the freeze/],
    [['freeze', 'lift', '--reason', ' '], /--reason is empty/],
    [['freeze', 'lift', '--reason', 'x', '--for', '2h'], /--until and --for belong to ramp freeze declare/],
    [['freeze', '--reason', 'x'], /ramp freeze alone only shows/],
    [['freeze', 'declare', '--reason', 'x', '--for', '2h', '--until', '2030-01-01T00:00:00Z'], /not both/],
    [['freeze', 'declare', '--reason', 'x', '--until', '2030-01-01'], /not an ISO-8601 time with a zone/],
    [['freeze', 'declare', '--reason', 'x', '--until', '2020-01-01T00:00:00Z'], /has already passed/],
    [['freeze', 'declare', 'lift'], /unexpected argument lift/],
  ] as const) {
    test(args.join(' '), async () => {
      const run = await ramp([...args], env);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, error);
    });
  }
  test('--as is refused through ramp server', async () => {
    const run = await ramp(['freeze', 'lift', '--reason', 'x', '--as', 'bob'], { RAMP_SERVER: 'http://127.0.0.1:9' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--as is not accepted through ramp server/);
  });
});

describe('renderFreeze', () => {
  test('nothing frozen, nothing recorded', () => {
    assert.equal(renderFreeze({ state: null, events: [] }), 'Not frozen: promotions run as their windows allow.\n');
  });
  test('frozen until lifted, with the last five events', () => {
    const events = Array.from({ length: 7 }, (_, i) => ({ at: `2026-11-30T0${i}:00:00.000Z`, kind: 'refused' as const, message: `refusal ${i}` }));
    const text = renderFreeze({ state: { declaredBy: bob, channel: 'web', declaredAt: '2026-11-30T10:00:00.000Z', reason: 'INC-9', until: null }, events });
    assert.equal(
      text,
      [
        'FROZEN: every promotion waits until the freeze is lifted.',
        '  declared by Bob Baker (web) at 2026-11-30T10:00:00.000Z',
        '  until       lifted (ramp freeze lift --reason …)',
        '  reason      INC-9',
        '',
        'Recent:',
        ...[2, 3, 4, 5, 6].map((i) => `  2026-11-30T0${i}:00:00.000Z  refused   refusal ${i}`),
        '',
      ].join('\n'),
    );
  });
});
