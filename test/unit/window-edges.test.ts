/**
 * Deploy window edges (src/governance/window-edges.ts): Kargo's open/closed semantics and the
 * next flip, as tables over instants — including the daylight-saving changes of Europe/Berlin
 * (2026-03-29, 2026-10-25) and America/New_York (2026-03-08, 2026-11-01) in both directions, a
 * window spanning the change (nominal duration), and local times inside a spring-forward gap.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FreezeState } from '../../src/domain/freeze.js';
import { windowState } from '../../src/governance/window-edges.js';
import type { ScheduledWindow } from '../../src/governance/window-schedule.js';
import { addWallClock, formatLocal, instantOf, parseLocal } from '../../src/governance/window-time.js';

const H = 3_600_000;
const win = (w: Partial<ScheduledWindow> & Pick<ScheduledWindow, 'name'>): ScheduledWindow => ({
  kind: 'allow',
  durationMs: 8 * H,
  timeZone: 'UTC',
  scope: 'stage',
  ...w,
});
const ms = (iso: string) => Date.parse(iso);

describe('wall-clock arithmetic across daylight-saving changes', () => {
  const cases: [string, string, string, number, string][] = [
    // [what, zone, start (UTC), nominal hours, expected end (UTC)]
    ['Berlin spring: 22:00 + 8h ends 06:00 CEST (7 real hours)', 'Europe/Berlin', '2026-03-28T21:00:00Z', 8, '2026-03-29T04:00:00Z'],
    ['Berlin autumn: 22:00 + 8h ends 06:00 CET (9 real hours)', 'Europe/Berlin', '2026-10-24T20:00:00Z', 8, '2026-10-25T05:00:00Z'],
    ['New York spring: 22:00 + 8h ends 06:00 EDT', 'America/New_York', '2026-03-08T03:00:00Z', 8, '2026-03-08T10:00:00Z'],
    ['New York autumn: 22:00 + 8h ends 06:00 EST', 'America/New_York', '2026-11-01T02:00:00Z', 8, '2026-11-01T11:00:00Z'],
    ['an ordinary day: exact', 'Europe/Berlin', '2026-06-01T07:00:00Z', 8, '2026-06-01T15:00:00Z'],
    ['a day long across spring: 23 real hours', 'Europe/Berlin', '2026-03-28T11:00:00Z', 24, '2026-03-29T10:00:00Z'],
  ];
  for (const [what, zone, start, hours, end] of cases) {
    test(what, () => assert.equal(new Date(addWallClock(ms(start), hours * H, zone)).toISOString(), end.replace('Z', '.000Z')));
  }

  test('a local time inside the spring-forward gap moves forward by the gap; a repeated one is the earlier instant', () => {
    assert.equal(new Date(instantOf(parseLocal('2026-03-29T02:30')!, 'Europe/Berlin')).toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(new Date(instantOf(parseLocal('2026-10-25T02:30')!, 'Europe/Berlin')).toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(new Date(instantOf(parseLocal('2026-03-08T02:30')!, 'America/New_York')).toISOString(), '2026-03-08T07:30:00.000Z');
    assert.equal(new Date(instantOf(parseLocal('2026-11-01T01:30')!, 'America/New_York')).toISOString(), '2026-11-01T05:30:00.000Z');
  });

  test('local times are shown as people there read them', () => {
    assert.equal(formatLocal(ms('2026-01-05T08:00:00Z'), 'Europe/Berlin'), 'Mon 2026-01-05 09:00 Europe/Berlin');
    assert.equal(parseLocal('2026-02-30T09:00'), null);
  });
});

describe('open or closed, and when it flips', () => {
  const businessNY = win({ name: 'business-hours', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', start: '2026-01-05T09:00', timeZone: 'America/New_York' });
  const nightlyBerlin = win({ name: 'night', rrule: 'FREQ=DAILY', start: '2026-01-05T22:00', timeZone: 'Europe/Berlin' });
  const gapBerlin = win({ name: 'early', rrule: 'FREQ=DAILY', start: '2026-01-05T02:30', durationMs: H, timeZone: 'Europe/Berlin' });
  const cronBerlin = win({ name: 'cron-early', cron: '30 2 * * *', durationMs: H, timeZone: 'Europe/Berlin' });
  const holiday = win({
    name: 'holiday',
    kind: 'deny',
    start: '2026-12-20T00:00',
    durationMs: 15 * 24 * H,
    reason: 'holiday freeze',
    timeZone: 'Europe/Berlin',
  });
  const friday = win({ name: 'friday', kind: 'deny', cron: '0 15 * * 5', durationMs: 9 * H, timeZone: 'Europe/Berlin' });

  type Case = [
    string,
    ScheduledWindow[],
    FreezeState | null,
    string,
    { open: boolean; nextOpen?: string | null; nextClose?: string | null; reason?: RegExp; window?: string | null },
  ];
  const freeze: FreezeState = {
    declaredBy: { name: 'ann' } as FreezeState['declaredBy'],
    channel: 'cli',
    declaredAt: '2026-06-01T00:00:00Z',
    reason: 'incident 42',
    until: '2026-06-02T12:00:00Z',
  };
  const cases: Case[] = [
    ['no windows: open, nothing closes', [], null, '2026-06-01T00:00:00Z', { open: true, nextOpen: null, nextClose: null, reason: /no deploy windows/ }],
    [
      'NY Friday evening: closed until Monday 09:00 EST',
      [businessNY],
      null,
      '2026-03-06T23:00:00Z',
      { open: false, nextOpen: '2026-03-09T13:00:00.000Z', window: 'business-hours', reason: /outside the allow window business-hours/ },
    ],
    [
      'NY Monday after spring forward: opens 09:00 EDT = 13:00Z',
      [businessNY],
      null,
      '2026-03-09T12:59:00Z',
      { open: false, nextOpen: '2026-03-09T13:00:00.000Z' },
    ],
    [
      'NY Monday after spring forward, in the window: closes 17:00 EDT',
      [businessNY],
      null,
      '2026-03-09T13:00:00Z',
      { open: true, nextClose: '2026-03-09T21:00:00.000Z', window: 'business-hours' },
    ],
    [
      'NY Monday after autumn back: opens 09:00 EST = 14:00Z',
      [businessNY],
      null,
      '2026-11-02T13:30:00Z',
      { open: false, nextOpen: '2026-11-02T14:00:00.000Z' },
    ],
    [
      'Berlin night spanning spring forward: closes 06:00 CEST',
      [nightlyBerlin],
      null,
      '2026-03-29T01:00:00Z',
      { open: true, nextClose: '2026-03-29T04:00:00.000Z' },
    ],
    [
      'Berlin night spanning autumn back: closes 06:00 CET',
      [nightlyBerlin],
      null,
      '2026-10-25T01:00:00Z',
      { open: true, nextClose: '2026-10-25T05:00:00.000Z' },
    ],
    [
      'rrule 02:30 daily is omitted on the gap night: opens the next night',
      [gapBerlin],
      null,
      '2026-03-28T23:00:00Z',
      { open: false, nextOpen: '2026-03-30T00:30:00.000Z' },
    ],
    [
      'cron 02:30 on the gap night runs at the transition (03:00 CEST)',
      [cronBerlin],
      null,
      '2026-03-28T23:00:00Z',
      { open: false, nextOpen: '2026-03-29T01:00:00.000Z' },
    ],
    [
      'rrule 02:30 on the autumn night: the first 02:30 (CEST)',
      [gapBerlin],
      null,
      '2026-10-24T23:00:00Z',
      { open: false, nextOpen: '2026-10-25T00:30:00.000Z' },
    ],
    [
      'a one-shot deny window: closed until it ends',
      [holiday],
      null,
      '2026-12-24T12:00:00Z',
      { open: false, nextOpen: '2027-01-03T23:00:00.000Z', reason: /deny window holiday \(holiday freeze\)/, window: 'holiday' },
    ],
    [
      'a one-shot deny window ahead: open, closes when it starts',
      [holiday],
      null,
      '2026-12-01T12:00:00Z',
      { open: true, nextClose: '2026-12-19T23:00:00.000Z' },
    ],
    [
      'deny beats allow: Friday 16:00 Berlin is closed',
      [win({ name: 'day', cron: '0 8 * * *', durationMs: 10 * H, timeZone: 'Europe/Berlin' }), friday],
      null,
      '2026-06-05T14:00:00Z',
      { open: false, nextOpen: '2026-06-06T06:00:00.000Z' },
    ],
    [
      'deny only: open outside it, closes at its start',
      [friday],
      null,
      '2026-06-05T10:00:00Z',
      { open: true, nextClose: '2026-06-05T13:00:00.000Z', window: null },
    ],
    [
      'a freeze is a deny window until it is lifted',
      [],
      freeze,
      '2026-06-01T10:00:00Z',
      { open: false, nextOpen: '2026-06-02T12:00:00.000Z', reason: /frozen by ann: incident 42/ },
    ],
    ['a freeze without end: no known opening', [], { ...freeze, until: null }, '2026-06-01T10:00:00Z', { open: false, nextOpen: null, reason: /until lifted/ }],
    ['an expired freeze counts for nothing', [], freeze, '2026-06-03T10:00:00Z', { open: true, nextClose: null }],
    [
      'overlapping allow windows: the union',
      [win({ name: 'a', cron: '0 8 * * *', durationMs: 4 * H }), win({ name: 'b', cron: '0 11 * * *', durationMs: 4 * H })],
      null,
      '2026-06-01T09:00:00Z',
      { open: true, nextClose: '2026-06-01T15:00:00.000Z' },
    ],
    [
      'seconds in cron: opens within seconds',
      [win({ name: 'soon', cron: '*/10 * * * * *', durationMs: 5_000 })],
      null,
      '2026-06-01T09:00:06Z',
      { open: false, nextOpen: '2026-06-01T09:00:10.000Z' },
    ],
  ];
  for (const [what, windows, frozen, at, expected] of cases) {
    test(what, () => {
      const state = windowState(windows, frozen, ms(at));
      assert.equal(state.open, expected.open, state.reason);
      if ('nextOpen' in expected) assert.equal(state.nextOpen, expected.nextOpen);
      if ('nextClose' in expected) assert.equal(state.nextClose, expected.nextClose);
      if (expected.reason) assert.match(state.reason, expected.reason);
      if ('window' in expected) assert.equal(state.window, expected.window);
    });
  }

  test('the local opening is in the window’s zone', () => {
    const state = windowState([businessNY], null, ms('2026-03-06T23:00:00Z'));
    assert.equal(state.nextOpenLocal, 'Mon 2026-03-09 09:00 America/New_York');
  });
});
