import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FreezeState } from '../../src/domain/freeze.js';
import { activeFreeze, describeFreeze, freezePermissionRefusal, freezeUntil } from '../../src/domain/freeze-rules.js';
import { ActorMethod, unverifiedActor, type Actor } from '../../src/identity/actor.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const alice: Actor = { subject: 'u-1', name: 'alice', email: 'alice@example.com', groups: ['sre-oncall'], issuer: 'https://idp', method: ActorMethod.Oidc };
const state = (until: string | null): FreezeState => ({ declaredBy: alice, channel: 'web', declaredAt: '2026-11-30T11:00:00.000Z', reason: 'INC-7', until });

describe('activeFreeze', () => {
  for (const [name, given, expected] of [
    ['none declared', null, null],
    ['until lifted', state(null), state(null)],
    ['until later', state('2026-11-30T13:00:00.000Z'), state('2026-11-30T13:00:00.000Z')],
    ['until now: over', state('2026-11-30T12:00:00.000Z'), null],
    ['until earlier: over', state('2026-11-30T11:30:00.000Z'), null],
  ] as const) {
    test(name, () => assert.deepEqual(activeFreeze(given, NOW), expected));
  }
});

describe('freezeUntil', () => {
  for (const [name, request, expected] of [
    ['neither: until lifted', {}, { ok: true, until: null }],
    ['--for 4h', { for: '4h' }, { ok: true, until: '2026-11-30T16:00:00.000Z' }],
    ['--for 1h30m', { for: '1h30m' }, { ok: true, until: '2026-11-30T13:30:00.000Z' }],
    ['--until with Z', { until: '2026-12-24T18:00:00Z' }, { ok: true, until: '2026-12-24T18:00:00.000Z' }],
    ['--until with an offset', { until: '2026-12-24T18:00+01:00' }, { ok: true, until: '2026-12-24T17:00:00.000Z' }],
  ] as const) {
    test(name, () => assert.deepEqual(freezeUntil(request, NOW), expected));
  }
  for (const [name, request, error] of [
    ['both', { for: '4h', until: '2026-12-24T18:00:00Z' }, /not both/],
    ['a bad duration', { for: 'soon' }, /--for: "soon" is not a duration/],
    ['zero', { for: '0s' }, /longer than nothing/],
    ['no zone', { until: '2026-12-24T18:00:00' }, /with a zone/],
    ['not a date', { until: 'tomorrow' }, /not an ISO-8601 time/],
    ['in the past', { until: '2026-11-30T11:00:00Z' }, /has already passed/],
  ] as const) {
    test(`refused: ${name}`, () => {
      const parsed = freezeUntil(request, NOW);
      assert.equal(parsed.ok, false);
      assert.match((parsed as { error: string }).error, error);
    });
  }
});

describe('freezePermissionRefusal', () => {
  const members = { 'sre-oncall': ['olivia'], 'release-managers': ['rita'] };
  test('no groups configured: anyone, even unverified', () => assert.equal(freezePermissionRefusal(unverifiedActor('mallory'), [], members, 'declare'), null));
  test('a verified actor by the groups in their token', () => assert.equal(freezePermissionRefusal(alice, ['sre-oncall'], {}, 'declare'), null));
  test('a verified actor is not judged by the groups file', () =>
    assert.match(
      freezePermissionRefusal({ ...alice, name: 'olivia', subject: 'olivia', groups: [] }, ['sre-oncall'], members, 'lift') ?? '',
      /olivia may not lift/,
    ));
  test('an unverified name by the groups file', () =>
    assert.equal(freezePermissionRefusal(unverifiedActor('rita'), ['sre-oncall', 'release-managers'], members, 'lift'), null));
  test('outsiders are refused with the groups named', () =>
    assert.equal(
      freezePermissionRefusal(unverifiedActor('mallory'), ['sre-oncall', 'release-managers'], members, 'declare'),
      'mallory (unverified) may not declare a freeze: only members of group:sre-oncall, group:release-managers may (RAMP_FREEZE_GROUPS on the worker). Ask one of them',
    ));
});

test('describeFreeze says who, where, since, until and why', () => {
  assert.equal(describeFreeze(state(null)), 'frozen by alice (web) since 2026-11-30T11:00:00.000Z, until lifted: INC-7');
  assert.equal(
    describeFreeze(state('2026-12-01T00:00:00.000Z')),
    'frozen by alice (web) since 2026-11-30T11:00:00.000Z, until 2026-12-01T00:00:00.000Z: INC-7',
  );
});
