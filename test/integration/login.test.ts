// `ramp login` / `ramp logout` against a real OpenID Provider (test/harness/oidc.ts): the command
// runs the device grant; the test reads the URL and code it prints and signs in on the
// provider's pages as alice, like a person in a browser. The stored token verifies with ramp's
// OidcAuthenticator; once it has really expired, loadCredentials() refreshes it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandIo } from '../../cli/command.js';
import { credentialsPath, loadCredentials, readCredentials, type StoredCredentials } from '../../cli/credentials.js';
import { main } from '../../cli/main.js';
import { OidcAuthenticator } from '../../src/identity/bearer.js';
import { RAMP_AUDIENCE, RAMP_RESOURCE, startOidcProvider, TEST_USERS, type TestOidcProvider } from '../harness/oidc.js';
import { waitFor } from '../support/wait.js';

/** Access tokens live this long here, so that the test can watch one expire for real. */
const TTL_SECONDS = 5;

interface LiveRun {
  output: () => string;
  done: Promise<number>;
}

function rampLive(args: string[], env: Record<string, string>): LiveRun {
  let out = '';
  const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), isTty: false, cwd: process.cwd(), env };
  return { output: () => out, done: main(args, io) };
}

describe('ramp login (device grant) and ramp logout against a real OpenID Provider', () => {
  let provider: TestOidcProvider;
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    provider = await startOidcProvider({ accessTokenTTL: TTL_SECONDS });
    home = await mkdtemp(join(tmpdir(), 'ramp-login-'));
    env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), RAMP_OIDC_ISSUER: provider.issuer };
  });

  after(async () => {
    await provider?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  /** Runs `ramp login <args>` and signs in as `user` on the page it names. */
  async function login(user: keyof typeof TEST_USERS, args: string[]): Promise<{ code: number; output: string }> {
    const run = rampLive(['login', ...args], env);
    const printed = await waitFor(
      () => Promise.resolve(run.output()),
      (o) => /enter the code \S+/.test(o),
      'ramp login to print the verification URL and code',
      60_000,
    );
    const verificationUri = /open (\S+)\nand enter the code (\S+)/.exec(printed);
    assert.ok(verificationUri, printed);
    await provider.completeDeviceLogin({ verificationUri: verificationUri[1]!, userCode: verificationUri[2]! }, user);
    const code = await run.done;
    return { code, output: run.output() };
  }

  test('login keeps a 0600 token that is alice of release-managers, and a refresh after expiry works', async () => {
    const { code, output } = await login('alice', ['--resource', RAMP_RESOURCE]);
    assert.equal(code, 0, output);
    const file = credentialsPath(env);
    assert.equal(file, join(home, 'config', 'ramp', 'credentials.json'));
    assert.match(
      output,
      new RegExp(
        `Logged in to ${provider.issuer} as ${TEST_USERS.alice.name}\\. The access token expires at \\S+ and is refreshed automatically\\.\\nCredentials: ${file}\\n$`,
      ),
    );
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(dirname(file))).mode & 0o777, 0o700);

    const stored = (await readCredentials(env))!;
    assert.equal(stored.issuer, provider.issuer);
    assert.equal(stored.clientId, 'ramp-cli');
    assert.ok(stored.refreshToken, 'a refresh token is kept');
    assert.ok(!output.includes(stored.accessToken) && !output.includes(stored.refreshToken), 'no token is printed');

    const authenticator = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE });
    const alice = await authenticator.authenticate(`Bearer ${stored.accessToken}`);
    assert.equal(alice.subject, 'alice');
    assert.deepEqual(alice.groups, ['release-managers']);

    // Wait for the token to really expire: a strict authenticator (no skew) refuses it.
    const strict = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE, clockToleranceSeconds: 0 });
    const refusal = await waitFor(
      () =>
        strict.authenticate(`Bearer ${stored.accessToken}`).then(
          () => 'accepted',
          (err: Error) => err.message,
        ),
      (outcome) => outcome !== 'accepted',
      `the ${TTL_SECONDS} s access token to expire`,
      60_000,
    );
    assert.match(refusal, /expired at/);

    const refreshed: StoredCredentials = (await loadCredentials({ env }))!;
    assert.notEqual(refreshed.accessToken, stored.accessToken);
    assert.ok(Date.parse(refreshed.expiresAt) > Date.parse(stored.expiresAt));
    assert.deepEqual(await readCredentials(env), refreshed, 'the file was rewritten with the new token');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const again = await strict.authenticate(`Bearer ${refreshed.accessToken}`);
    assert.equal(again.subject, 'alice');
    assert.equal(again.name, TEST_USERS.alice.name);
  });

  test('--json prints the result without tokens; logout removes the file and revokes the refresh token', async () => {
    const { code, output } = await login('bob', ['--json']);
    assert.equal(code, 0, output);
    const result = JSON.parse(output.slice(output.indexOf('{'))) as Record<string, unknown>;
    assert.deepEqual(result, {
      issuer: provider.issuer,
      clientId: 'ramp-cli',
      subject: 'bob',
      name: TEST_USERS.bob.name,
      expiresAt: result.expiresAt,
      refreshable: true,
      credentials: credentialsPath(env),
    });
    const stored = (await readCredentials(env))!;
    // No --resource: the provider's default resource still gives a token for ramp.
    assert.equal((await new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE }).verify(stored.accessToken)).subject, 'bob');

    let out = '';
    const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), isTty: false, cwd: process.cwd(), env };
    assert.equal(await main(['logout', '--json'], io), 0);
    assert.deepEqual(JSON.parse(out), { removed: true, revoked: true, credentials: credentialsPath(env) });
    await assert.rejects(stat(credentialsPath(env)), { code: 'ENOENT' });
    assert.equal(await loadCredentials({ env }), undefined);
    // The revoked refresh token no longer refreshes anything.
    const res = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored.refreshToken!, client_id: 'ramp-cli' }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');

    out = '';
    assert.equal(await main(['logout'], io), 0);
    assert.equal(out, `Not logged in (no ${credentialsPath(env)}).\n`);
  });

  test('without an issuer, login is a usage error that says what to set', async () => {
    let out = '';
    const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), isTty: false, cwd: process.cwd(), env: { HOME: home } };
    assert.equal(await main(['login'], io), 2);
    assert.match(out, /--issuer is required \(or RAMP_OIDC_ISSUER\)/);
  });
});
