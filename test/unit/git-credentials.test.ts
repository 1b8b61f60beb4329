/** Worker-side Git credentials: where they come from, how git gets them, how they stay secret. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { credentialEnv, displayUrl, redact, resolveCredentials, secretsOf, urlKind } from '../../src/providers/git/credentials.js';
import { secretEnvName } from '../../src/providers/secrets.js';
import { RepositoryUnavailableError } from '../../src/providers/git/errors.js';

const URL_ = 'https://git.example.com/platform/gitops.git';
const TOKEN = 'ghp_s3cretT0ken';

test('secretEnvName', () => {
  assert.equal(secretEnvName('gitops-deploy-token'), 'RAMP_SECRET_GITOPS_DEPLOY_TOKEN');
  assert.equal(secretEnvName('a.b/c'), 'RAMP_SECRET_A_B_C');
});

test('urlKind', () => {
  const cases: [string, ReturnType<typeof urlKind>][] = [
    [URL_, 'https'],
    ['http://127.0.0.1:8080/r.git', 'http'],
    ['git@github.com:org/repo.git', 'ssh'],
    ['ssh://git@host/repo.git', 'ssh'],
    ['file:///tmp/r.git', 'local'],
    ['/tmp/r.git', 'local'],
    ['../r', 'local'],
  ];
  for (const [url, kind] of cases) assert.equal(urlKind(url), kind, url);
});

describe('resolveCredentials', () => {
  test('no secretRef, a local path, file:// or ssh: none', async () => {
    assert.equal(await resolveCredentials(URL_, null, { env: {} }), null);
    assert.equal(await resolveCredentials('file:///tmp/r.git', 'x', { env: {} }), null);
    assert.equal(await resolveCredentials('git@host:r.git', 'x', { env: {} }), null);
  });

  test('from RAMP_SECRET_<NAME>, with an optional user name', async () => {
    assert.deepEqual(await resolveCredentials(URL_, 'deploy', { env: { RAMP_SECRET_DEPLOY: ` ${TOKEN}\n` } }), {
      secretRef: 'deploy',
      username: 'x-access-token',
      token: TOKEN,
    });
    assert.deepEqual(await resolveCredentials(URL_, 'deploy', { env: { RAMP_SECRET_DEPLOY: TOKEN, RAMP_SECRET_DEPLOY_USERNAME: 'oauth2' } }), {
      secretRef: 'deploy',
      username: 'oauth2',
      token: TOKEN,
    });
  });

  test('from a file in RAMP_SECRETS_DIR; the variable wins', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-secrets-'));
    try {
      await writeFile(path.join(dir, 'deploy'), `${TOKEN}\n`);
      assert.equal((await resolveCredentials(URL_, 'deploy', { env: { RAMP_SECRETS_DIR: dir } }))?.token, TOKEN);
      assert.equal((await resolveCredentials(URL_, 'deploy', { env: {}, secretsDir: dir }))?.token, TOKEN);
      assert.equal((await resolveCredentials(URL_, 'deploy', { env: { RAMP_SECRET_DEPLOY: 'other' }, secretsDir: dir }))?.token, 'other');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing credential says where to put it', async () => {
    await assert.rejects(
      resolveCredentials(URL_, 'deploy', { env: { RAMP_SECRETS_DIR: '/run/secrets' } }),
      (e: Error) =>
        e instanceof RepositoryUnavailableError &&
        e.message ===
          'credential "deploy" for https://git.example.com/platform/gitops.git is not configured on this worker. Set RAMP_SECRET_DEPLOY to an HTTPS token, or put the token in the file /run/secrets/deploy',
    );
  });

  test('never over plain http, except to this machine', async () => {
    await assert.rejects(
      resolveCredentials('http://git.example.com/r.git', 'deploy', { env: { RAMP_SECRET_DEPLOY: TOKEN } }),
      /refusing to send credential "deploy" to http:\/\/git\.example\.com\/r\.git over plain http/,
    );
    assert.equal((await resolveCredentials('http://127.0.0.1:9/r.git', 'deploy', { env: { RAMP_SECRET_DEPLOY: TOKEN } }))?.token, TOKEN);
  });
});

test("credentialEnv: an Authorization header for this host only, through git's environment config", () => {
  const credentials = { secretRef: 'deploy', username: 'x-access-token', token: TOKEN };
  assert.deepEqual(credentialEnv(URL_, credentials), {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.https://git.example.com/.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`,
  });
  assert.deepEqual(credentialEnv(URL_, null), {});
});

test('displayUrl and redact remove userinfo and every form of the token', () => {
  assert.equal(displayUrl('https://deploy:s3cret@git.example.com/r.git'), 'https://git.example.com/r.git');
  assert.equal(displayUrl('git@github.com:org/r.git'), 'git@github.com:org/r.git');
  const secrets = secretsOf({ secretRef: 'd', username: 'u', token: TOKEN });
  const text = `fatal: unable to access 'https://u:${TOKEN}@h/r.git': header Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')} token=${TOKEN}`;
  const out = redact(text, secrets);
  assert.equal(out, "fatal: unable to access 'https://h/r.git': header Basic *** token=***");
});
