/** Every command's usage text: reachable through --help, and it documents the exit codes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ramp } from './helpers.js';

const help = await ramp(['--help'], {});
const names = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);

describe('usage texts', () => {
  test('ramp --help lists every command and the exit codes', () => {
    assert.equal(help.code, 0);
    assert.deepEqual(names, ['validate', 'promote', 'status', 'list', 'approve', 'reject', 'pause', 'resume', 'skip', 'retry', 'abort', 'rollback', 'history', 'drift', 'worker', 'dev']);
    assert.match(help.stdout, /^Exit codes: 0 ok, 1 failed or refused \(the reason is printed\), 2 usage error, 70 a bug in ramp\.$/m);
  });

  for (const name of names) {
    test(`ramp ${name} --help documents its exit codes`, async () => {
      const { code, stdout } = await ramp([name, '--help'], {});
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`^ramp ${name}`));
      assert.match(stdout, /Exit codes: 0 .+, 1 .+, 2 usage error.*, 70 a bug in ramp\./s);
    });
  }

  test('a missing argument or an unknown flag is a usage error (2)', async () => {
    const missing = await ramp(['status'], {});
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'ramp status: missing <promotion-id>\nUsage: ramp status <promotion-id> [--watch] [--json]\n');
    const unknown = await ramp(['list', '--colour'], {});
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^ramp list: Unknown option '--colour'/);
  });
});
