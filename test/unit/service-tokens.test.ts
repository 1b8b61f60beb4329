// Service tokens: created once in plaintext, stored hashed in a 0600 file, refused when expired,
// revoked, wrong, unknown or malformed, scoped as data; the chain routes by prefix.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/identity/actor.js';
import { AuthenticationError, type Authenticator } from '../../src/identity/authenticator.js';
import { ChainAuthenticator } from '../../src/identity/chain.js';
import { checkScope, parseServiceToken, scopeAllows, ServiceTokenAuthenticator, ServiceTokenStore } from '../../src/identity/service-tokens.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

describe('service tokens', () => {
  let dir: string;
  let clock: Date;
  let store: ServiceTokenStore;
  let auth: ServiceTokenAuthenticator;
  let file: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ramp-st-'));
    file = join(dir, 'nested', 'service-tokens.json');
    clock = T0;
    store = new ServiceTokenStore(file, () => clock);
    auth = new ServiceTokenAuthenticator(store);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const abortWeb = { permissions: ['abort'], pipelines: ['web'] };

  test('create returns the plaintext once; the file (0600) and list() hold no secret', async () => {
    const { token, serviceToken } = await store.create({ name: 'alertmanager', scope: abortWeb, createdBy: 'alice' });
    const parts = parseServiceToken(token);
    assert.ok(parts, `well-formed: ${token.slice(0, 12)}…`);
    assert.equal(parts.id, serviceToken.id);
    assert.deepEqual(serviceToken, {
      id: parts.id,
      name: 'alertmanager',
      scope: abortWeb,
      createdAt: T0.toISOString(),
      createdBy: 'alice',
      expiresAt: new Date(T0.getTime() + 90 * DAY).toISOString(),
      revokedAt: null,
    });
    const content = await readFile(file, 'utf8');
    assert.ok(!content.includes(parts.secret), 'the file does not hold the secret');
    assert.match(content, /"secretHash": "[0-9a-f]{64}"/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const listed = await store.list();
    assert.ok(!JSON.stringify(listed).includes(parts.secret) && !JSON.stringify(listed).includes('secretHash'));
    assert.ok(listed.some((t) => t.id === parts.id));
  });

  test('a valid token is the service-token actor, with its scope', async () => {
    const { token, serviceToken } = await store.create({ name: 'pager', scope: abortWeb, createdBy: 'alice' });
    const { actor, scope } = await auth.authenticateWithScope(`Bearer ${token}`);
    assert.deepEqual(actor, { subject: `service-token:${serviceToken.id}`, name: 'pager', email: null, groups: [], issuer: 'ramp', method: 'service-token' });
    assert.deepEqual(scope, abortWeb);
    assert.deepEqual(await auth.scopeOf(actor), abortWeb);
    assert.equal(await auth.scopeOf({ ...actor, method: 'oidc' }), undefined);
  });

  interface Row {
    name: string;
    credential: () => Promise<string>;
    reason: RegExp;
  }
  const rows: Row[] = [
    {
      name: 'expired',
      credential: () => expiredToken(),
      reason: /service token [0-9a-f]{16} \(short-lived\) expired at 2026-01-02T00:00:00.000Z/,
    },
    {
      name: 'revoked',
      credential: async () => {
        const { token, serviceToken } = await store.create({ name: 'old', scope: abortWeb, createdBy: 'a' });
        await store.revoke(serviceToken.id);
        return token;
      },
      reason: /service token [0-9a-f]{16} \(old\) was revoked at 2026-01-01T00:00:00.000Z/,
    },
    {
      name: 'wrong secret',
      credential: async () => {
        const { token } = await store.create({ name: 'guarded', scope: abortWeb, createdBy: 'a' });
        return `${token.slice(0, -4)}AAAA`;
      },
      reason: /the secret of service token [0-9a-f]{16} \(guarded\) does not match/,
    },
    {
      name: 'unknown id',
      credential: () => Promise.resolve(`ramp_st_0123456789abcdef_${'A'.repeat(43)}`),
      reason: /no service token has the id 0123456789abcdef/,
    },
    { name: 'malformed: too short', credential: () => Promise.resolve('ramp_st_abc_def'), reason: /not a well-formed ramp service token/ },
    { name: 'malformed: upper-case id', credential: () => Promise.resolve(`ramp_st_0123456789ABCDEF_${'A'.repeat(43)}`), reason: /not a well-formed/ },
    { name: 'malformed: no prefix', credential: () => Promise.resolve(`st_0123456789abcdef_${'A'.repeat(43)}`), reason: /not a well-formed/ },
  ];

  /** A token created one day before the clock moves past its expiry. */
  async function expiredToken(): Promise<string> {
    const { token } = await store.create({ name: 'short-lived', scope: abortWeb, createdBy: 'a', expiresAt: new Date(T0.getTime() + DAY) });
    clock = new Date(T0.getTime() + DAY);
    return token;
  }

  test('creating an already-expired token is refused', async () => {
    await assert.rejects(store.create({ name: 'x', scope: abortWeb, createdBy: 'a', expiresAt: new Date(T0.getTime() - 1) }), /must expire in the future/);
  });

  test('the refusal table is whole', () => assert.equal(rows.length, 7));

  for (const row of rows) {
    test(`refused: ${row.name}`, async () => {
      clock = T0;
      const credential = await row.credential();
      try {
        await assert.rejects(auth.authenticate(`Bearer ${credential}`), (err) => {
          assert.ok(err instanceof AuthenticationError);
          assert.match(err.message, row.reason);
          const secret = parseServiceToken(credential)?.secret;
          if (secret) assert.ok(!err.message.includes(secret) && !err.hint.includes(secret), 'no secret echoed');
          return true;
        });
      } finally {
        clock = T0;
      }
    });
  }

  test('a revocation by another store on the same file (another process) is seen', async () => {
    const { token, serviceToken } = await store.create({ name: 'shared', scope: abortWeb, createdBy: 'a' });
    assert.equal((await auth.authenticate(`Bearer ${token}`)).name, 'shared');
    await new ServiceTokenStore(file, () => T0).revoke(serviceToken.id);
    await assert.rejects(auth.authenticate(`Bearer ${token}`), /was revoked/);
    await assert.rejects(store.revoke('ffffffffffffffff'), /no service token ffffffffffffffff/);
  });

  test('concurrent creates all land in the file', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => store.create({ name: `bot-${i}`, scope: abortWeb, createdBy: 'a' })));
    const ids = new Set((await new ServiceTokenStore(file).list()).map((t) => t.id));
    for (const { serviceToken } of made) assert.ok(ids.has(serviceToken.id), serviceToken.name);
  });

  test('a corrupt file is an error that names it', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"version": 2}');
    await assert.rejects(new ServiceTokenStore(bad).list(), (err: Error) => err.message.includes(bad) && /not valid/.test(err.message));
  });
});

describe('service token scope (data the caller enforces)', () => {
  const rows: [permissions: string[], pipelines: string[], permission: string, pipeline: string, allowed: boolean][] = [
    [['abort'], ['web'], 'abort', 'web', true],
    [['abort'], ['web'], 'abort', 'api', false],
    [['abort'], ['web'], 'approve', 'web', false],
    [['*'], ['web'], 'pause', 'web', true],
    [['abort', 'pause'], ['*'], 'pause', 'billing', true],
  ];
  test('the table is whole', () => assert.equal(rows.length, 5));
  for (const [permissions, pipelines, permission, pipeline, allowed] of rows) {
    test(`${permissions.join(',')} on ${pipelines.join(',')}: ${permission} ${pipeline} → ${allowed}`, () => {
      assert.equal(scopeAllows({ permissions, pipelines }, permission, pipeline), allowed);
    });
  }
  test('a scope needs a permission and a pipeline', () => {
    assert.throws(() => checkScope({ permissions: [], pipelines: ['web'] }), /at least one permission and one pipeline/);
    assert.throws(() => checkScope({ permissions: ['abort'], pipelines: [''] }), /at least one permission/);
    assert.deepEqual(checkScope({ permissions: ['pause', 'abort', 'abort'], pipelines: ['web'] }), { permissions: ['abort', 'pause'], pipelines: ['web'] });
  });
});

describe('ChainAuthenticator', () => {
  const person: Actor = { subject: 'alice', name: 'Alice', email: null, groups: [], issuer: 'https://id.example', method: 'oidc' };
  // A fake of ramp's own Authenticator interface: records what it was given.
  const seen: (string | undefined)[] = [];
  const oidc: Authenticator = { authenticate: (h) => (seen.push(h), Promise.resolve(person)) };

  test('ramp_st_ goes to the service tokens; anything else to OIDC', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ramp-chain-'));
    try {
      const store = new ServiceTokenStore(join(dir, 'tokens.json'));
      const { token } = await store.create({ name: 'bot', scope: { permissions: ['abort'], pipelines: ['web'] }, createdBy: 'alice' });
      const chain = new ChainAuthenticator({ serviceTokens: new ServiceTokenAuthenticator(store), oidc });
      assert.equal((await chain.authenticate(`Bearer ${token}`)).method, 'service-token');
      assert.deepEqual(seen, []);
      assert.equal(await chain.authenticate('Bearer eyJhbGciOi.x.y'), person);
      assert.deepEqual(seen, ['Bearer eyJhbGciOi.x.y']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('switched-off halves refuse, and say so', async () => {
    await assert.rejects(new ChainAuthenticator({ oidc }).authenticate(`Bearer ramp_st_0123456789abcdef_${'A'.repeat(43)}`), /service tokens are not enabled/);
    await assert.rejects(new ChainAuthenticator({}).authenticate('Bearer abc'), /OpenID Connect is not configured/);
    await assert.rejects(new ChainAuthenticator({ oidc }).authenticate(undefined), /no Authorization header/);
  });
});
