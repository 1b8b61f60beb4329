// The pure parts of browser sessions (server/auth/): where a login may return to, the CSRF rule
// for cookie-authenticated writes, the public URL check, and the cookies' keys and formats.
// The flows against a real provider: test/integration/browser-session.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkedPublicUrl } from '../../server/auth/browser-login.js';
import { sessionKeys } from '../../server/auth/session-keys.js';
import { csrfRefusal, openLoginState, safeReturnPath, sealLoginState, signSession, verifySession } from '../../server/auth/session.js';
import type { Actor } from '../../src/identity/actor.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';

const alice: Actor = { subject: 'alice', name: 'Alice', email: 'alice@example.test', groups: ['sre'], issuer: 'https://issuer.test', method: 'oidc' };

describe('safeReturnPath: a login returns only to this server', () => {
  const table: [string | undefined, string | null][] = [
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/api/v1/me', '/api/v1/me'],
    ['/ui/promotions?id=a#top', '/ui/promotions?id=a#top'],
    ['/a/../b', '/b'],
    ['https://evil.example', null],
    ['http://evil.example/x', null],
    ['//evil.example', null],
    ['/\\evil.example', null],
    ['javascript:alert(1)', null],
    ['evil.example', null],
    ['/ok\r\nSet-Cookie: x=y', null],
    ['/a\\b', null],
    [`/${'a'.repeat(2001)}`, null],
  ];
  for (const [given, expected] of table)
    test(`${JSON.stringify(given)?.slice(0, 40)} → ${String(expected)}`, () => assert.equal(safeReturnPath(given), expected));
});

describe('csrfRefusal: a write by cookie needs JSON and X-Ramp-Request: 1', () => {
  const table: [string, string | undefined, string | undefined, RegExp | null][] = [
    ['GET', undefined, undefined, null],
    ['HEAD', undefined, undefined, null],
    ['POST', 'application/json', '1', null],
    ['POST', 'application/json; charset=utf-8', '1', null],
    ['DELETE', 'Application/JSON', '1', null],
    ['POST', undefined, undefined, /Content-Type: application\/json and X-Ramp-Request: 1/],
    ['POST', 'application/json', undefined, /must send X-Ramp-Request: 1 \(/],
    ['POST', 'text/plain', '1', /must send Content-Type: application\/json \(/],
    ['POST', 'application/x-www-form-urlencoded', '1', /Content-Type/],
    ['PUT', 'application/json', 'true', /X-Ramp-Request: 1/],
  ];
  for (const [method, type, header, expected] of table) {
    test(`${method} ${type ?? '-'} ${header ?? '-'}`, () => {
      const refusal = csrfRefusal(method, type, header);
      if (expected === null) assert.equal(refusal, null);
      else assert.match(refusal ?? '', expected);
    });
  }
});

describe('checkedPublicUrl', () => {
  test('https anywhere, http only on loopback', () => {
    assert.equal(checkedPublicUrl('https://ramp.example.com').origin, 'https://ramp.example.com');
    assert.equal(checkedPublicUrl('http://127.0.0.1:8480').origin, 'http://127.0.0.1:8480');
    assert.throws(() => checkedPublicUrl('http://0.0.0.0:8480'), /plain http on a non-loopback address/);
    assert.throws(() => checkedPublicUrl('http://ramp.example.com'), /RAMP_SERVER_PUBLIC_URL/);
    assert.throws(() => checkedPublicUrl('not a url'), /is not a URL/);
  });
});

describe('session and login cookies', () => {
  test('a session verifies with the keys of the same signing key only', async () => {
    const one = await generateDecisionKeys('one');
    const other = await generateDecisionKeys('other');
    const { token } = await signSession(alice, undefined, sessionKeys(one.signing));
    assert.deepEqual(await verifySession(token, sessionKeys(one.signing)), alice);
    await assert.rejects(verifySession(token, sessionKeys(other.signing)), /not one this server issued/);
  });

  test('a session lasts until the access token expires, and at most 8 hours', async () => {
    const keys = sessionKeys((await generateDecisionKeys('k')).signing);
    const now = new Date('2026-01-01T00:00:00Z');
    const t = now.getTime() / 1000;
    assert.equal((await signSession(alice, t + 300, keys, now)).exp, t + 300);
    assert.equal((await signSession(alice, t + 86_400, keys, now)).exp, t + 8 * 3600);
    const expired = await signSession(alice, t + 300, keys, now);
    await assert.rejects(verifySession(expired.token, keys), /session expired at 2026-01-01T00:05:00.000Z/);
  });

  test('the login state is encrypted, and unreadable with another key', async () => {
    const keys = sessionKeys((await generateDecisionKeys('k')).signing);
    const login = { verifier: 'v'.repeat(43), state: 's', nonce: 'n', returnTo: '/x' };
    const sealed = await sealLoginState(login, keys);
    assert.ok(
      !sealed.includes('v'.repeat(43)) &&
        !Buffer.from(sealed.split('.')[3] ?? '', 'base64url')
          .toString()
          .includes('vvvv'),
    );
    assert.deepEqual(await openLoginState(sealed, keys), login);
    assert.equal(await openLoginState(sealed, sessionKeys((await generateDecisionKeys('other')).signing)), null);
    assert.equal(await openLoginState(`${sealed}x`, keys), null);
    assert.equal(await openLoginState(undefined, keys), null);
  });

  test('the session key is not the login key, and neither is usable for the other cookie', async () => {
    const keys = sessionKeys((await generateDecisionKeys('k')).signing);
    assert.notDeepEqual(keys.session, keys.login);
    const sealed = await sealLoginState({ verifier: 'v', state: 's', nonce: 'n', returnTo: '/' }, keys);
    await assert.rejects(verifySession(sealed, keys), /not one this server issued/);
  });
});
