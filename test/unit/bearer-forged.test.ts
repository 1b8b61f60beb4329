// Forged and broken bearer tokens, refused by the production OidcAuthenticator with a reason.
// The only place where tokens are signed by hand: a tiny local "issuer" serves a discovery
// document (advertising HS256 and none too, which ramp must ignore) and a JWKS of its own keys.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { AuthenticationError } from '../../src/identity/authenticator.js';
import { actorFromClaims, checkTokenKind, groupsFrom, IssuerUnavailableError, OidcAuthenticator } from '../../src/identity/bearer.js';

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
    header: { alg: string; kid?: string; typ?: string } = { alg: 'RS256', kid: 'rsa-1' },
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
    // Genuinely signed by the issuer, for ramp's audience, but not access tokens.
    {
      name: 'an ID token (it carries a nonce)',
      token: () => sign(claims({ nonce: 'n-0S6_WzA2Mj', auth_time: now() })),
      reason: /carries a nonce claim, as ID tokens do: ramp accepts access tokens, not ID tokens/,
    },
    {
      name: 'a logout token (typ logout+jwt)',
      token: () =>
        sign(claims({ events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }), rsa.privateKey, {
          alg: 'RS256',
          kid: 'rsa-1',
          typ: 'logout+jwt',
        }),
      reason: /type \(typ header\) is "logout\+jwt", not an access token \(at\+jwt\)/,
    },
    {
      name: 'an explicitly typed ID token (typ id_token+jwt)',
      token: () => sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', typ: 'id_token+jwt' }),
      reason: /typ header\) is "id_token\+jwt"/,
    },
    {
      name: 'a Keycloak ID token (typ claim "ID")',
      token: () => sign(claims({ typ: 'ID', azp: 'ramp-cli' }), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', typ: 'JWT' }),
      reason: /typ claim is "ID": it is an ID token, not an access token/,
    },
  ];

  test('the case table is whole', () => assert.equal(cases.length, 23));

  for (const c of cases) {
    test(`refused: ${c.name}`, async () => refusedWith(await c.token(), c.reason));
  }

  test('access tokens as providers type them are accepted: at+jwt (any case, application/), JWT, or no typ', async () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'JWT', undefined]) {
      const token = await sign(claims({ typ: 'Bearer' }), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', ...(typ ? { typ } : {}) });
      assert.equal((await authenticator.authenticate(`Bearer ${token}`)).subject, 'alice', `typ ${typ}`);
    }
  });

  test('requireAccessTokenType accepts only at+jwt; allowNonce lets a nonce through (Dex)', async () => {
    const strict = new OidcAuthenticator({ issuer, audience: AUDIENCE, requireAccessTokenType: true });
    const typed = (typ?: string) => sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1', ...(typ ? { typ } : {}) });
    assert.equal((await strict.authenticate(`Bearer ${await typed('at+jwt')}`)).subject, 'alice');
    assert.equal((await strict.authenticate(`Bearer ${await typed('application/at+jwt')}`)).subject, 'alice');
    await assert.rejects(strict.authenticate(`Bearer ${await typed()}`), (err: AuthenticationError) => {
      assert.match(err.message, /type \(typ header\) is missing, and ramp is configured to accept only access tokens typed at\+jwt/);
      assert.match(err.hint, /not the ID token; if your provider does not type its access tokens, turn requireAccessTokenType off/);
      return true;
    });
    await assert.rejects(strict.authenticate(`Bearer ${await typed('JWT')}`), /typ header\) is "JWT", and ramp is configured/);
    const withNonce = await sign(claims({ nonce: 'abc' }));
    const dex = new OidcAuthenticator({ issuer, audience: AUDIENCE, allowNonce: true });
    assert.equal((await dex.authenticate(`Bearer ${withNonce}`)).subject, 'alice');
    await assert.rejects(authenticator.authenticate(`Bearer ${withNonce}`), (err: AuthenticationError) => /set allowNonce/.test(err.hint));
  });

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

describe('checkTokenKind: access tokens only', () => {
  const lax = { requireAccessTokenType: false, allowNonce: false };
  const strict = { requireAccessTokenType: true, allowNonce: false };
  const rows: { typ?: string; claims?: JWTPayload; options: typeof lax; refused?: RegExp }[] = [
    { typ: 'at+jwt', options: strict },
    { typ: 'Application/AT+JWT', options: strict },
    { options: lax },
    { typ: 'JWT', options: lax },
    { typ: 'jwt', claims: { typ: 'Bearer' }, options: lax },
    { options: strict, refused: /typ header\) is missing/ },
    { typ: 'JWT', options: strict, refused: /typ header\) is "JWT", and ramp is configured/ },
    { typ: 'logout+jwt', options: lax, refused: /"logout\+jwt", not an access token/ },
    { typ: 'dpop+jwt', options: lax, refused: /"dpop\+jwt", not an access token/ },
    { typ: 'at+jwt', claims: { nonce: 'x' }, options: strict, refused: /carries a nonce claim/ },
    { claims: { nonce: 'x' }, options: { requireAccessTokenType: false, allowNonce: true } },
    { typ: 'JWT', claims: { typ: 'ID' }, options: lax, refused: /typ claim is "ID"/ },
    { typ: 'JWT', claims: { typ: 'id' }, options: { requireAccessTokenType: false, allowNonce: true }, refused: /typ claim is "ID"/ },
  ];

  test('the table is whole', () => assert.equal(rows.length, 13));

  for (const row of rows) {
    test(`typ ${row.typ ?? '(none)'}, claims ${JSON.stringify(row.claims ?? {})}, ${JSON.stringify(row.options)}: ${row.refused ? 'refused' : 'accepted'}`, () => {
      const check = () => checkTokenKind(row.typ === undefined ? {} : { typ: row.typ }, { sub: 'a', ...row.claims }, row.options);
      if (row.refused) assert.throws(check, (err) => err instanceof AuthenticationError && row.refused!.test(err.message));
      else assert.doesNotThrow(check);
    });
  }
});
