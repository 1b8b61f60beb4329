/**
 * `ramp server` as a process (bin/ramp.js, as shipped): its keys, its settings, and a run from
 * start to SIGTERM — it listens, answers /healthz, says /readyz is not ready without Temporal,
 * refuses every credential until an identity provider is wired, logs JSON lines, and stops
 * cleanly (exit 0).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ramp } from './helpers.js';
import { waitFor } from '../support/wait.js';

const BIN = fileURLToPath(new URL('../../bin/ramp.js', import.meta.url));

describe('ramp server (the command)', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ramp-server-cmd-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  test('ramp server keys writes a private key (0600) and the public JWKS, and never overwrites them', async () => {
    const out = join(dir, 'keys');
    const written = await ramp(['server', 'keys', '--out', out, '--kid', 'test-key'], {});
    assert.equal(written.code, 0, written.stderr);
    const privateKey = JSON.parse(await readFile(join(out, 'signing.jwk.json'), 'utf8')) as Record<string, string>;
    assert.equal((await stat(join(out, 'signing.jwk.json'))).mode & 0o777, 0o600);
    assert.deepEqual([privateKey.kty, privateKey.crv, privateKey.kid, typeof privateKey.d], ['OKP', 'Ed25519', 'test-key', 'string']);
    const jwks = JSON.parse(await readFile(join(out, 'decision-keys.json'), 'utf8')) as { keys: Record<string, string>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.kid, 'test-key');
    assert.equal(jwks.keys[0]!.x, privateKey.x);
    assert.ok(!('d' in jwks.keys[0]!), 'the public keys hold no private part');
    // The approval-link pair: the private half for the workers, the public JWKS for the servers.
    const linkKey = JSON.parse(await readFile(join(out, 'link-signing.jwk.json'), 'utf8')) as Record<string, string>;
    assert.equal((await stat(join(out, 'link-signing.jwk.json'))).mode & 0o777, 0o600);
    assert.deepEqual([linkKey.kty, linkKey.crv, linkKey.kid, typeof linkKey.d], ['OKP', 'Ed25519', 'test-key-link', 'string']);
    assert.notEqual(linkKey.d, privateKey.d, 'links and decisions have separate keys');
    const linkKeys = JSON.parse(await readFile(join(out, 'link-keys.json'), 'utf8')) as { keys: Record<string, string>[] };
    assert.deepEqual([linkKeys.keys.length, linkKeys.keys[0]!.kid, linkKeys.keys[0]!.x, 'd' in linkKeys.keys[0]!], [1, 'test-key-link', linkKey.x, false]);

    const again = await ramp(['server', 'keys', '--out', out], {});
    assert.equal(again.code, 2);
    assert.match(again.stderr, /signing\.jwk\.json already exists/);
    assert.equal(JSON.parse(await readFile(join(out, 'signing.jwk.json'), 'utf8')).d, privateKey.d);
  });

  test('without a signing key, or with a bad setting, it does not start (2)', async () => {
    const missing = await ramp(['server'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /RAMP_SERVER_SIGNING_KEY_FILE/);
    const bad = await ramp(['server'], { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_SERVER_SIGNING_KEY_FILE: 'k', RAMP_SERVER_RATE: 'fast' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /RAMP_SERVER_RATE="fast": expected a positive number/);
    const noFile = await ramp(['server', '--listen', '127.0.0.1:0'], { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_SERVER_SIGNING_KEY_FILE: join(dir, 'nope.json') });
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /cannot read the signing key .*nope\.json/);
  });

  test('runs until SIGTERM: health, readiness, 401 without an identity provider, JSON logs, a clean stop', { timeout: 120_000 }, async () => {
    const keys = join(dir, 'run-keys');
    assert.equal((await ramp(['server', 'keys', '--out', keys], {})).code, 0);
    // Approval links and Slack on: their files are read at start.
    await writeFile(join(dir, 'slack-secret'), 'slack-signing-secret-value\n');
    await writeFile(join(dir, 'slack-users.json'), JSON.stringify({ U1: { subject: 'dave', issuer: 'https://idp.test' } }));
    const slackEnv = { RAMP_SERVER_SLACK_SIGNING_SECRET_FILE: join(dir, 'slack-secret'), RAMP_SERVER_SLACK_USERS_FILE: join(dir, 'slack-users.json') };
    // A private key where the servers' link public keys belong: it does not start (2), and says why.
    const privateLinkKeys = await ramp(['server', '--listen', '127.0.0.1:0'], {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      RAMP_SERVER_SIGNING_KEY_FILE: join(keys, 'signing.jwk.json'),
      RAMP_SERVER_LINK_KEYS_FILE: join(keys, 'link-signing.jwk.json'),
    });
    assert.equal(privateLinkKeys.code, 2);
    assert.match(privateLinkKeys.stderr, /link-signing\.jwk\.json \(RAMP_SERVER_LINK_KEYS_FILE\) is not a JWKS of public Ed25519 keys/);
    const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--pipelines', dir], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        RAMP_CONNECT_TIMEOUT_MS: '500',
        RAMP_SERVER_SIGNING_KEY_FILE: join(keys, 'signing.jwk.json'),
        RAMP_SERVER_LINK_KEYS_FILE: join(keys, 'link-keys.json'),
        RAMP_TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
        ...slackEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = (await waitFor(
        () => Promise.resolve(/"msg":"listening","url":"([^"]+)"/.exec(stdout)?.[1]),
        (found) => found !== undefined,
        `the listening line (stderr: ${stderr})`,
        90_000,
      ))!;
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const listening = JSON.parse(stdout.split('\n').find((line) => line.includes('"msg":"listening"'))!) as Record<string, string>;
      assert.equal(listening.approvalLinks, 'off: they need browser sessions');
      assert.equal(listening.slack, '/integrations/slack/interactions (1 mapped user(s))');
      assert.equal(listening.temporalUi, 'http://127.0.0.1:8233', 'RAMP_TEMPORAL_UI_URL reaches the server: release pages link to it');
      const unsigned = await fetch(`${url}/integrations/slack/interactions`, { method: 'POST', body: 'payload=%7B%7D' });
      assert.equal(unsigned.status, 401); // and an audit line, 'refused'
      const ready = await fetch(`${url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'unavailable', message: 'ramp server cannot reach Temporal right now' });
      const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: 'Bearer some-secret-token' } });
      assert.equal(me.status, 401);
      assert.match(((await me.json()) as { message: string }).message, /no identity provider configured/);
      await waitFor(
        () => Promise.resolve(stdout),
        (text) => text.includes('"path":"/api/v1/me","status":401'),
        'the request line',
      );
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    assert.deepEqual(
      lines.map((l) => l.msg).filter((m) => m !== 'request'),
      ['listening', 'refused', 'stopping', 'stopped'],
    );
    assert.ok(!`${stdout}${stderr}`.includes('some-secret-token'), 'no token in the output');
    assert.ok(!`${stdout}${stderr}`.includes('slack-signing-secret-value'), 'no Slack secret in the output');
  });
});
