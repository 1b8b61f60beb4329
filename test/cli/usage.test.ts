/** Every command's usage text: reachable through --help, and it documents the exit codes. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ramp } from './helpers.js';

const help = await ramp(['--help'], {});
const names = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);

describe('usage texts', () => {
  test('ramp --help lists every command and the exit codes', () => {
    assert.equal(help.code, 0);
    assert.deepEqual(names, [
      'validate',
      'promote',
      'status',
      'list',
      'approve',
      'reject',
      'pause',
      'resume',
      'skip',
      'retry',
      'abort',
      'rollback',
      'history',
      'dora',
      'audit',
      'drift',
      'freeze',
      'guard',
      'policy',
      'worker',
      'server',
      'dev',
      'login',
      'logout',
      'token',
    ]);
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
    assert.equal(unknown.stderr, 'ramp list: unknown option --colour\nUsage: ramp list [--all] [--pipeline P] [--phase PHASE] [--limit N] [--json]\n');
  });

  test('a mistyped flag or command gets a did-you-mean (2)', async () => {
    const flag = await ramp(['status', 'web@1.5.0', '--wacth'], {});
    assert.equal(flag.code, 2);
    assert.equal(flag.stderr, 'ramp status: unknown option --wacth; did you mean --watch?\nUsage: ramp status <promotion-id> [--watch] [--json]\n');
    const shared = await ramp(['approve', 'web@1.5.0', '--stag', 'production'], {});
    assert.match(shared.stderr, /^ramp approve: unknown option --stag; did you mean --stage\?$/m);
    const temporal = await ramp(['list', '--adress', 'x:1'], {});
    assert.match(temporal.stderr, /^ramp list: unknown option --adress; did you mean --address\?$/m);
    const command = await ramp(['stauts', 'web@1.5.0'], {});
    assert.equal(command.code, 2);
    assert.match(command.stderr, /^ramp: unknown command "stauts"; did you mean status\?\nCommands: validate, promote, status/);
    const nothing = await ramp(['frobnicate'], {});
    assert.match(nothing.stderr, /^ramp: unknown command "frobnicate"\nCommands: /);
  });

  test('ramp --version and ramp version print the package version', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const args of [['--version'], ['version']]) {
      const r = await ramp(args, {});
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `ramp ${version}\n`);
    }
  });

  test('a promotion id given as two words is a usage error with the id to type (2)', async () => {
    const r = await ramp(['status', 'web', '1.5.0'], {});
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'ramp status: unexpected argument 1.5.0; did you mean web@1.5.0?\nUsage: ramp status <promotion-id> [--watch] [--json]\n');
    const resume = await ramp(['resume', 'web', '1.5.0'], {});
    assert.match(resume.stderr, /did you mean web@1\.5\.0\?/);
  });

  test('an empty or blank id or pipeline is a usage error (2), before any connection', async () => {
    // No Temporal is reachable at this address: a usage error must come first.
    const env = { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_CONNECT_TIMEOUT_MS: '200' };
    for (const args of [
      ['status', ''],
      ['status', '  '],
      ['status', '', '--watch'],
      ['approve', '', '--stage', 'p', '--as', 'a'],
      ['abort', '', '--reason', 'x'],
      ['history', ''],
      ['promote', '', '1.0.0'],
      ['promote', 'web', ' '],
      ['retry', ''],
    ]) {
      const r = await ramp(args, env);
      assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^ramp ${args[0]}: <[a-z-]+> is empty`), JSON.stringify(args));
    }
    for (const args of [
      ['resume', 'web@1.5.0', '--stage', ''],
      ['history', 'web', '--stage', ' '],
      ['status', 'web@1.5.0', '--address', ''],
      ['abort', 'web@1.5.0', '--reason', ''],
    ]) {
      const r = await ramp(args, env);
      assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^ramp ${args[0]}: --[a-z-]+ is empty\n`), JSON.stringify(args));
    }
    // A comment may be empty; the connection fails after the arguments passed.
    assert.equal((await ramp(['approve', 'web@1.5.0', '--stage', 'p', '--as', 'a', '--comment', ''], env)).code, 1);
  });
});
