// Forged and broken bearer tokens, refused by the production OidcAuthenticator with a reason.
// The only place where tokens are signed by hand: a tiny local "issuer" serves a discovery
// document (advertising HS256 and none too, which ramp must ignore) and a JWKS of its own keys.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { AuthenticationError } from '../../src/identity/authenticator.js';
import { actorFromClaims, groupsFrom, IssuerUnavailableError, OidcAuthenticator } from '../../src/identity/bearer.js';

const AUDIENCE = 'ramp';
const now = (): number => Math.floor(Date.now() / 1000);

describe('OidcAuthenticator refuses forged and broken tokens', () => {
  let server: Server;
  let issuer: string;
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
  let stranger: { privateKey: CryptoKey; publicKey: CryptoKey };
  let authenticator: OidcAuthenticator;
  let discoveredIssuer: string | undefined;

  before(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    stranger = await generateKeyPair('RS256', { extractable: true });
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        res.end(
          JSON.stringify({
            issuer: discoveredIssuer ?? issuer,
            jwks_uri: `${issuer}/jwks`,
            id_token_signing_alg_values_supported: ['RS256', 'ES256', 'HS256', 'none'],
          }),
        );
      } else if (req.url === '/jwks') {
        res.end(JSON.stringify(jwks));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    authenticator = new OidcAuthenticator({ issuer, audience: AUDIENCE });
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const claims = (over: JWTPayload = {}): JWTPayload => ({
    iss: issuer,
    aud: AUDIENCE,
    sub: 'alice',
    name: 'Alice',
    groups: ['sre'],
    iat: now(),
    exp: now() + 300,
    ...over,
  });

  function sign(
    payload: JWTPayload,
    key: CryptoKey | Uint8Array = rsa.privateKey,
    header: { alg: string; kid?: string } = { alg: 'RS256', kid: 'rsa-1' },
  ): Promise<string> {
    return new SignJWT(payload).setProtectedHeader(header).sign(key);
  }

  function unsigned(header: Record<string, unknown>, payload: JWTPayload): string {
    const part = (v: unknown): string => base64url.encode(JSON.stringify(v));
    return `${part(header)}.${part(payload)}.`;
  }

  async function refusedWith(token: string, reason: RegExp): Promise<void> {
    try {
      await authenticator.authenticate(`Bearer ${token}`);
    } catch (err) {
      assert.ok(err instanceof AuthenticationError, `expected an AuthenticationError, got ${String(err)}`);
      assert.match(err.message, reason);
      assert.ok(!err.message.includes(token) && !err.hint.includes(token), 'the token is never echoed');
      return;
    }
    assert.fail(`the token was accepted; expected a refusal matching ${reason}`);
  }

  test('the genuine article is accepted (RS256 and ES256), so the refusals below mean something', async () => {
    assert.equal((await authenticator.authenticate(`Bearer ${await sign(claims())}`)).subject, 'alice');
    const es = await sign(claims({ sub: 'bob' }), ec.privateKey, { alg: 'ES256', kid: 'ec-1' });
    assert.equal((await authenticator.authenticate(`Bearer ${es}`)).subject, 'bob');
  });

  const cases: { name: string; token: () => Promise<string> | string; reason: RegExp }[] = [
    {
      name: 'alg: none, no signature',
      token: () => unsigned({ alg: 'none' }, claims()),
      reason: /algorithm "none" is not accepted \(accepted: RS256, ES256\)/,
    },
    { name: 'alg: NONE (case games)', token: () => unsigned({ alg: 'NONE', kid: 'rsa-1' }, claims()), reason: /algorithm "NONE" is not accepted/ },
    {
      name: "HS256 with the issuer's public key (PEM) as the HMAC secret",
      token: async () => sign(claims(), new TextEncoder().encode(await exportSPKI(rsa.publicKey)), { alg: 'HS256', kid: 'rsa-1' }),
      reason: /algorithm "HS256" is not accepted/,
    },
    {
      name: "HS256 with the issuer's public JWK as the HMAC secret",
      token: async () => sign(claims(), new TextEncoder().encode(JSON.stringify(await exportJWK(rsa.publicKey))), { alg: 'HS256', kid: 'rsa-1' }),
      reason: /algorithm "HS256" is not accepted/,
    },
    {
      name: "signed by another key under the issuer's kid",
      token: () => sign(claims(), stranger.privateKey),
      reason: /signature does not verify with the issuer's key/,
    },
    {
      name: 'signed by a key the issuer does not publish',
      token: () => sign(claims(), stranger.privateKey, { alg: 'RS256', kid: 'rsa-2' }),
      reason: /signed by a key the issuer does not publish/,
    },
    { name: 'an RSA kid with an EC algorithm', token: () => sign(claims(), ec.privateKey, { alg: 'ES256', kid: 'rsa-1' }), reason: /does not publish/ },
    {
      name: 'a genuine signature over other claims (groups raised)',
      token: async () => {
        const [header, , signature] = (await sign(claims({ groups: [] }))).split('.');
        return `${header}.${base64url.encode(JSON.stringify(claims({ groups: ['release-managers'] })))}.${signature}`;
      },
      reason: /signature does not verify/,
    },
    { name: 'expired (beyond the 30 s tolerance)', token: () => sign(claims({ exp: now() - 90, iat: now() - 400 })), reason: /^the token expired at \d{4}-/ },
    { name: 'not valid before a time in the future', token: () => sign(claims({ nbf: now() + 600 })), reason: /not valid yet: not before \d{4}-/ },
    {
      name: 'another issuer',
      token: () => sign(claims({ iss: 'https://evil.example' })),
      reason: /issued by "https:\/\/evil.example", not by the configured issuer/,
    },
    { name: 'another audience', token: () => sign(claims({ aud: 'billing' })), reason: /audience "billing", not ramp/ },
    { name: 'no audience', token: () => sign(claims({ aud: undefined })), reason: /has no aud claim/ },
    { name: 'no expiry', token: () => sign(claims({ exp: undefined })), reason: /has no exp claim/ },
    { name: 'no subject', token: () => sign(claims({ sub: undefined })), reason: /has no sub claim/ },
    { name: 'garbage', token: () => 'garbage', reason: /not a JWT/ },
    { name: 'three parts of garbage', token: () => 'a.b.c', reason: /not a JWT/ },
    { name: 'a truncated signature', token: async () => (await sign(claims())).slice(0, -10), reason: /signature does not verify|malformed/ },
    { name: 'far too large', token: () => 'x'.repeat(20_000), reason: /too large \(20000 characters/ },
  ];

  test('the case table is whole', () => assert.equal(cases.length, 19));

  for (const c of cases) {
    test(`refused: ${c.name}`, async () => refusedWith(await c.token(), c.reason));
  }

  test('clock skew within the tolerance is accepted; the tolerance is configurable down to 0', async () => {
    const justExpired = await sign(claims({ exp: now() - 10, iat: now() - 300 }));
    const almostValid = await sign(claims({ nbf: now() + 10 }));
    assert.equal((await authenticator.authenticate(`Bearer ${justExpired}`)).subject, 'alice');
    assert.equal((await authenticator.authenticate(`Bearer ${almostValid}`)).subject, 'alice');
    const strict = new OidcAuthenticator({ issuer, audience: AUDIENCE, clockToleranceSeconds: 0 });
    await assert.rejects(strict.authenticate(`Bearer ${justExpired}`), /expired at/);
    await assert.rejects(strict.authenticate(`Bearer ${almostValid}`), /not valid yet/);
  });

  test('algorithms fixed by configuration: an ES256 token is refused when only RS256 is allowed', async () => {
    const rsOnly = new OidcAuthenticator({ issuer, audience: AUDIENCE, algorithms: ['RS256'] });
    const es = await sign(claims(), ec.privateKey, { alg: 'ES256', kid: 'ec-1' });
    await assert.rejects(rsOnly.authenticate(`Bearer ${es}`), /algorithm "ES256" is not accepted \(accepted: RS256\)/);
  });

  test('unsafe configurations are refused at construction', () => {
    assert.throws(() => new OidcAuthenticator({ issuer, audience: AUDIENCE, algorithms: ['none'] }), /none are not accepted: only asymmetric/);
    assert.throws(() => new OidcAuthenticator({ issuer, audience: AUDIENCE, algorithms: ['RS256', 'HS256'] }), /HS256 are not accepted/);
    assert.throws(() => new OidcAuthenticator({ issuer, audience: AUDIENCE, clockToleranceSeconds: 61 }), /out of range: 0 to 60 s/);
    assert.throws(() => new OidcAuthenticator({ issuer: 'http://login.example.com', audience: AUDIENCE }), /must use https/);
    assert.throws(() => new OidcAuthenticator({ issuer, audience: '' }), /audience is empty/);
  });

  test('a discovery document that names another issuer is an unavailable issuer, not a 401', async () => {
    discoveredIssuer = 'https://someone-else.example';
    try {
      const fresh = new OidcAuthenticator({ issuer, audience: AUDIENCE });
      await assert.rejects(
        fresh.authenticate(`Bearer ${await sign(claims())}`),
        (err) => err instanceof IssuerUnavailableError && /names issuer "https:\/\/someone-else.example"/.test(err.message),
      );
    } finally {
      discoveredIssuer = undefined;
    }
  });
});

describe('claims → Actor', () => {
  const base = { iss: 'https://id.example', sub: 'u1' };
  const rows: { claims: JWTPayload; claim?: string; name: string; email: string | null; groups: string[] }[] = [
    { claims: { ...base, name: 'Ann', preferred_username: 'ann', email: 'ann@x', groups: ['b', 'a', 'b'] }, name: 'Ann', email: 'ann@x', groups: ['a', 'b'] },
    { claims: { ...base, preferred_username: 'ann', email: 'ann@x', groups: 'sre  product' }, name: 'ann', email: 'ann@x', groups: ['product', 'sre'] },
    { claims: { ...base, email: 'ann@x' }, name: 'ann@x', email: 'ann@x', groups: [] },
    { claims: { ...base, name: '  ', groups: [1, 'ok', null] }, name: 'u1', email: null, groups: ['ok'] },
    { claims: { ...base, realm_access: { roles: ['admin'] } }, claim: 'realm_access.roles', name: 'u1', email: null, groups: ['admin'] },
    { claims: { ...base, roles: { nested: true } }, claim: 'roles', name: 'u1', email: null, groups: [] },
  ];

  test('the table is whole', () => assert.equal(rows.length, 6));

  for (const [i, row] of rows.entries()) {
    test(`row ${i}: ${JSON.stringify(row.claims)}`, () => {
      assert.deepEqual(actorFromClaims(row.claims, row.claim), {
        subject: 'u1',
        name: row.name,
        email: row.email,
        groups: row.groups,
        issuer: 'https://id.example',
        method: 'oidc',
      });
    });
  }

  test('groupsFrom: arrays and space-separated strings only', () => {
    assert.deepEqual(groupsFrom(['x', 'x', ' y ']), ['x', 'y']);
    assert.deepEqual(groupsFrom('a b\tc'), ['a', 'b', 'c']);
    assert.deepEqual(groupsFrom(undefined), []);
    assert.deepEqual(groupsFrom(42), []);
  });
});
