/** The CLI's did-you-mean: edit distance and the closest candidate. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closest, didYouMean, editDistance } from '../../cli/did-you-mean.js';
import { documentedFlags } from '../../cli/main.js';

describe('editDistance', () => {
  const cases: [string, string, number][] = [
    ['status', 'status', 0],
    ['stauts', 'status', 1], // a transposition is one edit
    ['statu', 'status', 1],
    ['--wacth', '--watch', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ];
  for (const [a, b, d] of cases) test(`${a} → ${b}: ${d}`, () => assert.equal(editDistance(a, b), d));
});

describe('closest', () => {
  const commands = ['validate', 'promote', 'status', 'list', 'approve', 'reject', 'pause', 'resume', 'skip', 'retry', 'abort', 'rollback', 'history'];
  const cases: [string, readonly string[], string | undefined][] = [
    ['stauts', commands, 'status'],
    ['aprove', commands, 'approve'],
    ['rollbak', commands, 'rollback'],
    ['histroy', commands, 'history'],
    ['valid', commands, 'validate'], // a prefix of exactly one
    ['re', commands, undefined], // a prefix of several
    ['frobnicate', commands, undefined],
    ['lst', commands, 'list'],
    ['--stag', ['--stage', '--as', '--help'], '--stage'],
    ['--verison', ['--help', '--version'], '--version'],
    ['--x', ['--as', '--help'], undefined],
  ];
  for (const [word, candidates, expected] of cases) test(`${word} → ${expected ?? 'nothing'}`, () => assert.equal(closest(word, candidates), expected));

  test('didYouMean phrases it, or says nothing', () => {
    assert.equal(didYouMean('--wacth', ['--watch', '--json']), '; did you mean --watch?');
    assert.equal(didYouMean('--zzz', ['--watch', '--json']), '');
  });
});

test('documentedFlags reads the flags off a usage text', () => {
  assert.deepEqual(documentedFlags({ usage: 'ramp x <id> [--watch]\n  --task-queue Q   queue (not --watch-all-ish: counts)\n  --json' }), [
    '--watch',
    '--task-queue',
    '--watch-all-ish',
    '--json',
    '--help',
  ]);
});
