/**
 * Four-eyes from the command line, on the real dev server (fake activities): whoever started a
 * promotion, and the release's authors named with `ramp promote --author`, may not approve it;
 * another approver may. Names here are unverified (`--as`), as on the local stack.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fakeRamp } from '../support/fake-activities.js';
import { waitFor } from '../support/wait.js';
import { startCliStack, type CliStack } from './helpers.js';

describe('four-eyes (ramp promote --author, ramp approve)', () => {
  let stack: CliStack;
  before(async () => (stack = await startCliStack(fakeRamp({ 'release-managers': ['carol', 'dave'] }).activities)));
  after(async () => stack?.stop());

  test('the starter and the named authors are refused, with the reason, on the record; another approver counts', async () => {
    const name = await stack.pipeline('eyes');
    const id = `${name}@1.1.0`;
    const started = await stack.run([
      'promote',
      name,
      '1.1.0',
      '--as',
      'alice',
      '--commit',
      'abc1234',
      '--source-time',
      '2026-11-30T09:00:00Z',
      '--author',
      'carol',
      '--author',
      'erin@example.com',
    ]);
    assert.equal(started.code, 0, started.stderr);
    await waitFor(
      async () => (await stack.run(['status', id, '--json'])).stdout,
      (out) => out.includes('"phase": "AwaitingApproval"'),
      'the production gate',
      60_000,
    );
    const self = await stack.run(['approve', id, '--stage', 'production', '--as', 'alice']);
    assert.equal(self.code, 1);
    assert.match(self.stderr, /^ramp approve: alice \(unverified\) started this promotion and may not approve it \(four-eyes/);
    const author = await stack.run(['approve', id, '--stage', 'production', '--as', 'carol']);
    assert.equal(author.code, 1);
    assert.match(author.stderr, /^ramp approve: carol \(unverified\) authored the release \(commit author\) and may not approve it/);
    const other = await stack.run(['approve', id, '--stage', 'production', '--as', 'dave']);
    assert.equal(other.code, 0, other.stderr);
    assert.equal(other.stdout, 'dave approved the gate approval (1/1)\n');
    const status = await stack.run(['status', id]);
    assert.match(status.stdout, /✖ alice tried to approve, refused: alice \(unverified\) started this promotion/);
    assert.match(status.stdout, /✖ carol tried to approve, refused: carol \(unverified\) authored the release/);
  });
});
