// `ramp token`: create prints the token once, list shows states without secrets, revoke makes the
// authenticator refuse it; the store stays 0600; usage errors are clear and echo no secret.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandIo } from '../../cli/command.js';
import { parseLifetime, parsePermissions, parsePipelines, tokenState } from '../../cli/commands/token.js';
import { ExitCode } from '../../cli/exit-codes.js';
import { main } from '../../cli/main.js';
import { AuthenticationError } from '../../src/identity/authenticator.js';
import { parseServiceToken, ServiceTokenAuthenticator, ServiceTokenStore } from '../../src/identity/service-tokens.js';

interface Run {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

async function ramp(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd: process.cwd(), env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const DAY = 86_400_000;

describe('ramp token', () => {
  let dir: string;
  let file: string;
  let env: Record<string, string>;
  const secrets: string[] = [];
  /** Every output of the test, to check that no secret appears but in `create`'s. */
  const outputs: { args: string[]; text: string }[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ramp-token-cmd-'));
    file = join(dir, 'secrets', 'service-tokens.json');
    env = { RAMP_SERVICE_TOKENS_FILE: file, RAMP_USER: 'admin' };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(args: string[], environment: Record<string, string | undefined> = env): Promise<Run> {
    const r = await ramp(['token', ...args], environment);
    outputs.push({ args, text: r.stdout + r.stderr });
    return r;
  }

  test('create → list → authenticate → revoke → refused; the file is 0600', async () => {
    const created = await run(['create', '--name', 'alertmanager', '--permissions', 'operate', '--pipelines', 'web', '--expires', '30d']);
    assert.equal(created.code, ExitCode.Ok, created.stderr);
    const token = /^(ramp_st_\S+)$/m.exec(created.stdout)?.[1];
    assert.ok(token, `a token line in: ${created.stdout.replace(/ramp_st_\S+/g, 'ramp_st_…')}`);
    const parts = parseServiceToken(token);
    assert.ok(parts);
    secrets.push(parts.secret);
    assert.match(created.stdout, new RegExp(`^Created service token ${parts.id} \\(alertmanager\\): operate on web, expires \\d{4}-`, 'm'));
    assert.match(created.stdout, /^This token is shown only once: store it now \(ramp keeps only its hash\)\.$/m);
    assert.equal(created.stdout.split(parts.secret).length - 1, 1, 'the token is printed exactly once');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.ok(!(await readFile(file, 'utf8')).includes(parts.secret), 'the store holds no secret');

    const listed = await run(['list']);
    assert.equal(listed.code, ExitCode.Ok, listed.stderr);
    assert.match(listed.stdout, /^ID +NAME +PERMISSIONS +PIPELINES +STATE +EXPIRES +CREATED BY$/m);
    assert.match(listed.stdout, new RegExp(`^${parts.id} +alertmanager +operate +web +active +\\S+ +admin$`, 'm'));

    const auth = new ServiceTokenAuthenticator(new ServiceTokenStore(file));
    const { actor, scope } = await auth.authenticateWithScope(`Bearer ${token}`);
    assert.equal(actor.subject, `service-token:${parts.id}`);
    assert.equal(actor.name, 'alertmanager');
    assert.deepEqual(scope, { permissions: ['operate'], pipelines: ['web'] });

    const revoked = await run(['revoke', parts.id]);
    assert.equal(revoked.code, ExitCode.Ok, revoked.stderr);
    assert.equal(revoked.stdout, `Revoked service token ${parts.id} (alertmanager): it is refused from now on.\n`);
    await assert.rejects(auth.authenticate(`Bearer ${token}`), (err) => {
      assert.ok(err instanceof AuthenticationError);
      assert.match(err.message, new RegExp(`service token ${parts.id} \\(alertmanager\\) was revoked at `));
      return true;
    });
    const again = await run(['revoke', parts.id]);
    assert.equal(again.code, ExitCode.Ok);
    assert.match(again.stdout, /was already revoked at \d{4}-/);
    assert.match((await run(['list'])).stdout, new RegExp(`^${parts.id} +alertmanager +operate +web +revoked \\d{4}-\\S+ `, 'm'));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test('--json: create gives { id, name, token, expiresAt, scope } and the warning on stderr; list gives states', async () => {
    const before = Date.now();
    const created = await run(['create', '--name', 'ci', '--permissions', 'promote,rollback', '--pipelines', '*', '--json', '--file', file], {});
    assert.equal(created.code, ExitCode.Ok, created.stderr);
    const body = JSON.parse(created.stdout) as { id: string; name: string; token: string; expiresAt: string; scope: unknown };
    assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'id', 'name', 'scope', 'token']);
    secrets.push(parseServiceToken(body.token)!.secret);
    assert.equal(body.name, 'ci');
    assert.deepEqual(body.scope, { permissions: ['promote', 'rollback'], pipelines: ['*'] });
    const lifetime = Date.parse(body.expiresAt) - before;
    assert.ok(lifetime > 89 * DAY && lifetime <= 90 * DAY + 60_000, `default 90 days, got ${lifetime} ms`);
    assert.match(created.stderr, /shown only once/);
    assert.equal((await new ServiceTokenAuthenticator(new ServiceTokenStore(file)).authenticate(`Bearer ${body.token}`)).name, 'ci');

    // A token that expired (created with a clock in the past) is listed as expired.
    const past = new ServiceTokenStore(file, () => new Date('2020-01-01T00:00:00Z'));
    const old = await past.create({
      name: 'old',
      scope: { permissions: ['operate'], pipelines: ['web'] },
      createdBy: 'a',
      expiresAt: new Date('2020-01-02T00:00:00Z'),
    });
    secrets.push(parseServiceToken(old.token)!.secret);

    const listed = await run(['list', '--json']);
    const tokens = JSON.parse(listed.stdout) as { id: string; name: string; state: string; secretHash?: string }[];
    assert.deepEqual(
      tokens.map((t) => [t.name, t.state]),
      [
        ['alertmanager', 'revoked'],
        ['ci', 'active'],
        ['old', 'expired'],
      ],
    );
    assert.ok(tokens.every((t) => t.secretHash === undefined));
    assert.match((await run(['list'])).stdout, /^[0-9a-f]{16} +old +operate +web +expired /m);
    const revoked = JSON.parse((await run(['revoke', body.id, '--json'])).stdout) as { id: string; state: string; revokedAt: string };
    assert.equal(revoked.state, 'revoked');
    assert.equal(revoked.id, body.id);
  });

  interface UsageRow {
    args: string[];
    env?: Record<string, string>;
    code: ExitCode;
    stderr: RegExp;
  }
  const create = ['create', '--name', 'x', '--pipelines', 'web'];
  const usageRows: UsageRow[] = [
    { args: [], code: ExitCode.Usage, stderr: /^ramp token: missing <action>: create, list or revoke$/m },
    { args: ['lsit'], code: ExitCode.Usage, stderr: /^ramp token: unknown action "lsit"; did you mean list\?/m },
    {
      args: [...create, '--permissions', 'aprove'],
      code: ExitCode.Usage,
      stderr:
        /^ramp token: unknown permission "aprove"; did you mean approve\?; the permissions are promote, approve, operate, rollback, drift, override, administer$/m,
    },
    { args: [...create, '--permissions', 'abort'], code: ExitCode.Usage, stderr: /unknown permission "abort"; abort is part of operate;/ },
    { args: [...create, '--permissions', 'operate,,drift'], code: ExitCode.Usage, stderr: /--permissions "operate,,drift" has an empty entry/ },
    {
      args: [...create, '--permissions', 'operate', '--expires', '30days'],
      code: ExitCode.Usage,
      stderr: /^ramp token: --expires: "30days" is not a duration\. Write a number with a unit/m,
    },
    { args: [...create, '--permissions', 'operate', '--expires', '10s'], code: ExitCode.Usage, stderr: /--expires 10s is too short: give at least 1m/ },
    {
      args: ['create', '--permissions', 'operate', '--pipelines', 'web'],
      code: ExitCode.Usage,
      stderr: /^ramp token: --name is required: what uses the token/m,
    },
    { args: ['create', '--name', 'x', '--pipelines', 'web'], code: ExitCode.Usage, stderr: /^ramp token: --permissions is required/m },
    { args: ['create', '--name', 'x', '--permissions', 'operate'], code: ExitCode.Usage, stderr: /^ramp token: --pipelines is required/m },
    { args: [...create.slice(0, 3), '--pipelines', 'Web', '--permissions', 'operate'], code: ExitCode.Usage, stderr: /"Web" is not a pipeline name/ },
    { args: [...create.slice(0, 3), '--pipelines', 'web,*', '--permissions', 'operate'], code: ExitCode.Usage, stderr: /'\*' already means every pipeline/ },
    { args: ['list'], env: { RAMP_USER: 'admin' }, code: ExitCode.Usage, stderr: /^ramp token: --file is required \(or RAMP_SERVICE_TOKENS_FILE\)/m },
    { args: ['list', '--name', 'x'], code: ExitCode.Usage, stderr: /--name is for `ramp token create`, not list/ },
    { args: ['list', '--nmae', 'x'], code: ExitCode.Usage, stderr: /unknown option --nmae; did you mean --name\?/ },
    { args: ['revoke'], code: ExitCode.Usage, stderr: /^ramp token: missing <id>$/m },
    { args: ['revoke', 'nope'], code: ExitCode.Usage, stderr: /"nope" is not a service token id/ },
    {
      args: ['revoke', '0123456789abcdef'],
      code: ExitCode.Failure,
      stderr: /^ramp token: no service token 0123456789abcdef in .*; `ramp token list` shows the ids$/m,
    },
  ];

  for (const row of usageRows) {
    test(`refused: ramp token ${row.args.join(' ')}`, async () => {
      const r = await run(row.args, row.env ?? env);
      assert.equal(r.code, row.code, r.stderr);
      assert.match(r.stderr, row.stderr);
      assert.equal(r.stdout, '');
    });
  }

  test('an invalid store file is a failure that names the file, not a bug', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"version": 2}', { mode: 0o600 });
    const r = await run(['list', '--file', broken]);
    assert.equal(r.code, ExitCode.Failure, r.stderr);
    assert.match(r.stderr, /^ramp token: could not read .*broken\.json: the service token file .*broken\.json is not valid/m);
  });

  test('no secret appears in any output but the one create printed it in', () => {
    assert.ok(secrets.length >= 3);
    assert.ok(outputs.length > usageRows.length);
    for (const secret of secrets) {
      const leaks = outputs.filter((o) => o.text.includes(secret) && o.args[0] !== 'create').map((o) => o.args.join(' '));
      assert.deepEqual(leaks, [], 'a secret leaked');
    }
  });

  test('the pure parts', () => {
    assert.deepEqual(parsePermissions('operate, drift,operate'), ['operate', 'drift']);
    assert.deepEqual(parsePipelines('*'), ['*']);
    assert.equal(parseLifetime('1d12h'), 1.5 * DAY);
    const now = new Date('2026-01-01T00:00:00Z');
    assert.equal(tokenState({ expiresAt: '2026-01-02T00:00:00Z', revokedAt: null }, now), 'active');
    assert.equal(tokenState({ expiresAt: '2026-01-01T00:00:00Z', revokedAt: null }, now), 'expired');
    assert.equal(tokenState({ expiresAt: '2027-01-01T00:00:00Z', revokedAt: '2025-12-31T00:00:00Z' }, now), 'revoked');
  });
});
