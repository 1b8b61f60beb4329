/** Table tests for the pure domain helpers the schema and workflows share. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCondition } from '../../src/domain/condition.js';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';
import { closest } from '../../src/domain/names.js';
import { placeholders, renderTemplate } from '../../src/domain/template.js';
import { parseYamlPath } from '../../src/domain/yaml-path.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['500ms', 500],
    ['0s', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1d2h3m4s5ms', 93_784_005],
    [' 10s ', 10_000],
  ];
  for (const [text, ms] of valid) test(`${JSON.stringify(text)} is ${ms} ms`, () => assert.deepEqual(parseDuration(text), { ok: true, ms }));
  for (const text of ['', '30', '5 m', '1 minute', '30m1h', '1.5h', '-5s', 's', '5w', '1h1h']) {
    test(`${JSON.stringify(text)} is rejected with a hint`, () => {
      const result = parseDuration(text);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.error, /Write a number with a unit/);
    });
  }
  test('formatDuration is the inverse on canonical forms', () => {
    for (const text of ['500ms', '30s', '5m', '1h30m', '1d2h3m4s5ms']) {
      const parsed = parseDuration(text);
      assert.ok(parsed.ok);
      assert.equal(formatDuration(parsed.ms), text);
    }
    assert.equal(formatDuration(0), '0s');
  });
});

describe('parseYamlPath', () => {
  test('keys, indexes and field selectors', () => {
    assert.deepEqual(parseYamlPath('spec.template.spec.containers[name=web].image'), {
      ok: true,
      segments: [
        { kind: 'key', key: 'spec' },
        { kind: 'key', key: 'template' },
        { kind: 'key', key: 'spec' },
        { kind: 'key', key: 'containers' },
        { kind: 'match', field: 'name', value: 'web' },
        { kind: 'key', key: 'image' },
      ],
    });
    assert.deepEqual(parseYamlPath('items[0][2].value'), {
      ok: true,
      segments: [
        { kind: 'key', key: 'items' },
        { kind: 'index', index: 0 },
        { kind: 'index', index: 2 },
        { kind: 'key', key: 'value' },
      ],
    });
    assert.deepEqual(parseYamlPath('metadata.annotations.ramp/version'), {
      ok: true,
      segments: [
        { kind: 'key', key: 'metadata' },
        { kind: 'key', key: 'annotations' },
        { kind: 'key', key: 'ramp/version' },
      ],
    });
  });
  for (const bad of ['', 'a..b', 'a.', '.a', 'a[]', 'a[=x]', 'a[x=]', 'a b']) {
    test(`${JSON.stringify(bad)} is rejected`, () => assert.equal(parseYamlPath(bad).ok, false));
  }
});

describe('checkCondition', () => {
  const ok = [
    'result[0] >= 0.95',
    'result < 5',
    'size(result) == 0 || result[0] < 0.01',
    'isNaN(result[0])',
    '!isInf(result)',
    'result[0] > 0.5 && result[1] < 2',
  ];
  for (const expression of ok) test(`accepts ${expression}`, () => assert.deepEqual(checkCondition(expression), { ok: true }));
  const bad: [string, RegExp][] = [
    ['result[0] <', /Unexpected token/],
    ['value > 1', /Unknown variable: value/],
    ['len(result) > 0', /no matching overload/],
    ['"yes"', /evaluates to string, not bool/],
  ];
  for (const [expression, error] of bad) {
    test(`rejects ${expression}`, () => {
      const result = checkCondition(expression);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.error, error);
    });
  }
});

describe('templates', () => {
  test('placeholders are listed once, in order, whitespace ignored', () => {
    assert.deepEqual(placeholders('a{{args.x}} {{ ramp.stage }} {{args.x}}'), ['args.x', 'ramp.stage']);
  });
  test('renderTemplate fills known names and leaves unknown ones', () => {
    assert.equal(renderTemplate('{{ramp.image}}:{{ ramp.version }} {{other}}', { 'ramp.image': 'web', 'ramp.version': '1.2.0' }), 'web:1.2.0 {{other}}');
  });
});

describe('closest', () => {
  const table: [string, string[], string | undefined][] = [
    ['setWeigth', ['setWeight', 'pause', 'analysis'], 'setWeight'],
    ['stratgy', ['name', 'path', 'strategy'], 'strategy'],
    ['Strategy', ['strategy'], 'strategy'],
    ['xyz', ['setWeight', 'pause'], undefined],
  ];
  for (const [word, candidates, expected] of table) test(`${word} → ${String(expected)}`, () => assert.equal(closest(word, candidates), expected));
});
