// Where `ramp login` keeps its credentials, and what loadCredentials() does with a file it did not
// write or a login that cannot be refreshed. The device grant itself: test/integration/login.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { credentialsPath, loadCredentials, removeCredentials, saveCredentials, type StoredCredentials } from '../../cli/credentials.js';

describe('cli/credentials', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'ramp-creds-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const rows: [env: Record<string, string>, expected: string][] = [
    [{ XDG_CONFIG_HOME: '/x/config', HOME: '/home/a' }, '/x/config/ramp/credentials.json'],
    [{ HOME: '/home/a' }, '/home/a/.config/ramp/credentials.json'],
    [{ XDG_CONFIG_HOME: 'relative/config', HOME: '/home/a' }, '/home/a/.config/ramp/credentials.json'],
    [{ XDG_CONFIG_HOME: '', HOME: '/home/a' }, '/home/a/.config/ramp/credentials.json'],
  ];
  for (const [env, expected] of rows) {
    test(`credentialsPath(${JSON.stringify(env)}) = ${expected}`, () => assert.equal(credentialsPath(env), expected));
  }

  const stored = (over: Partial<StoredCredentials> = {}): StoredCredentials => ({
    version: 1,
    issuer: 'http://127.0.0.1:1',
    clientId: 'ramp-cli',
    resource: null,
    scope: 'openid',
    accessToken: 'at',
    refreshToken: null,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    subject: 'alice',
    name: 'Alice',
    ...over,
  });

  test('saved 0600 in a 0700 directory; a fresh token is returned as is; logout removes it', async () => {
    const env = { HOME: join(home, 'a') };
    const fresh = stored();
    const file = await saveCredentials(fresh, env);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(home, 'a', '.config', 'ramp'))).mode & 0o777, 0o700);
    assert.deepEqual(await loadCredentials({ env }), fresh);
    assert.equal(await removeCredentials(env), true);
    assert.equal(await removeCredentials(env), false);
    assert.equal(await loadCredentials({ env }), undefined);
  });

  test('an expired login without a refresh token asks for ramp login', async () => {
    const env = { HOME: join(home, 'b') };
    await saveCredentials(stored({ expiresAt: '2020-01-01T00:00:00.000Z' }), env);
    await assert.rejects(loadCredentials({ env }), /expired at 2020-01-01T00:00:00.000Z and has no refresh token; run `ramp login` again/);
  });

  test('a file ramp did not write is named, with what to do', async () => {
    const env = { HOME: join(home, 'c') };
    await mkdir(join(home, 'c', '.config', 'ramp'), { recursive: true });
    await writeFile(credentialsPath(env), '{"token": "x"}');
    await assert.rejects(
      loadCredentials({ env }),
      (err: Error) => err.message.includes(credentialsPath(env)) && /run `ramp logout` and `ramp login` again/.test(err.message),
    );
  });
});
