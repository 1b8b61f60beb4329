// Browser sessions against a real OpenID Provider (test/harness/oidc.ts): the scripted browser
// logs in through ramp server's /auth/login → the provider's login and consent pages →
// /auth/callback (code + PKCE, state, nonce), and the `ramp_session` cookie then authenticates API
// calls: reads with the cookie alone, writes only with the CSRF headers. Tampered and expired
// sessions, a wrong state, an open redirect and logout are refused or cleared.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../scripts/lib/proc.js';
import { sessionKeys } from '../../server/auth/session-keys.js';
import { SESSION_COOKIE, signSession } from '../../server/auth/session.js';
import { listen, type Listening } from '../../server/listen.js';
import { OidcAuthenticator } from '../../src/identity/bearer.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { ScriptedBrowser } from '../../scripts/lib/oidc-provider/scripted-browser.js';
import {
  RAMP_AUDIENCE,
  startOidcProvider,
  TEST_USERS,
  WEB_CLIENT_ID,
  WEB_CONFIDENTIAL_CLIENT_ID,
  type TestOidcProvider,
  type TestUserName,
} from '../harness/oidc.js';
import { testServer, type TestServer } from '../support/server.js';

const fill =
  (user: TestUserName) =>
  (form: { fields: Record<string, string> }): Record<string, string> =>
    'login' in form.fields ? { login: TEST_USERS[user].subject, password: 'any password' } : {};

/** The value of `name` in a response's Set-Cookie headers (undefined when not set; '' when cleared). */
function setCookieOf(res: Response, name: string): { value: string; attributes: string } | undefined {
  for (const line of res.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) {
      const [pair = '', ...rest] = line.split(';');
      return { value: pair.slice(name.length + 1), attributes: rest.join(';').trim() };
    }
  }
  return undefined;
}

describe('browser sessions through a real OpenID Provider', () => {
  let provider: TestOidcProvider;
  let dir: string;
  let keys: Awaited<ReturnType<typeof generateDecisionKeys>>;
  const servers: { server: TestServer; http: Listening }[] = [];
  let base: string;

  /** A ramp server with browser sessions on a free loopback port. */
  async function start(clientId = WEB_CLIENT_ID, clientSecret?: string): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const oidc = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE });
    const server = await testServer({
      env: {},
      pipelinesDir: dir,
      keys,
      authenticator: oidc,
      browser: {
        issuer: provider.issuer,
        clientId,
        ...(clientSecret ? { clientSecret } : {}),
        publicUrl: url,
        groupsClaim: 'groups',
        verifyAccessToken: (token) => oidc.verify(token),
      },
    });
    servers.push({ server, http: await listen(server, '127.0.0.1', port) });
    return url;
  }

  /** Through /auth/login and the provider's pages, up to (not into) the callback. */
  async function toCallback(browser: ScriptedBrowser, user: TestUserName, at = base, back = '/api/v1/me'): Promise<string> {
    const result = await browser.browse(`${at}/auth/login?return=${encodeURIComponent(back)}`, fill(user), (u) => u.startsWith(`${at}/auth/callback`));
    assert.ok(
      result.url.startsWith(`${at}/auth/callback?`),
      `the provider did not return to the callback: ended at ${result.url} (${result.status}) ${result.html.slice(0, 300)}`,
    );
    return result.url;
  }

  /**
   * The callback's answer: not a 302 but a page that goes on by itself (a meta refresh, no script)
   * to `path` — Chrome sends the new SameSite=Strict cookie on that navigation, not on a redirect
   * that is still part of the provider's cross-site one.
   */
  async function assertHop(res: Response, path: string): Promise<void> {
    const page = await res.text();
    assert.equal(res.status, 200, page);
    assert.equal(res.headers.get('location'), null);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', 'the callback URL holds the code: no Referer from it');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.ok(page.includes(`<meta http-equiv="refresh" content="0; url=${path}" />`), page);
    assert.ok(page.includes(`<a href="${path}" data-hop>`), page);
    assert.doesNotMatch(page, /<script/);
  }

  /** A full login: returns the browser (with the cookie) and the session cookie's value. */
  async function logIn(user: TestUserName, at = base): Promise<{ browser: ScriptedBrowser; cookie: string }> {
    const browser = new ScriptedBrowser();
    const callback = await toCallback(browser, user, at);
    const res = await browser.request('GET', callback);
    await assertHop(res, '/api/v1/me');
    const session = setCookieOf(res, SESSION_COOKIE);
    assert.ok(session && session.value !== '', 'the callback set no session cookie');
    return { browser, cookie: session.value };
  }

  before(async () => {
    provider = await startOidcProvider();
    dir = await mkdtemp(join(tmpdir(), 'ramp-browser-'));
    keys = await generateDecisionKeys('test');
    base = await start();
  });

  after(async () => {
    for (const { http } of servers) await http.stop(1_000);
    await provider?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('alice logs in; the cookie makes /api/v1/me answer alice with her groups', async () => {
    const browser = new ScriptedBrowser();
    const login = await browser.request('GET', `${base}/auth/login?return=/api/v1/me`);
    assert.equal(login.status, 302);
    const authorize = new URL(login.headers.get('location')!);
    assert.equal(authorize.origin, provider.issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('client_id'), WEB_CLIENT_ID);
    assert.equal(authorize.searchParams.get('redirect_uri'), `${base}/auth/callback`);
    for (const p of ['code_challenge', 'state', 'nonce']) assert.ok(authorize.searchParams.get(p), `no ${p}`);
    const loginCookie = setCookieOf(login, 'ramp_login');
    assert.match(loginCookie?.attributes ?? '', /HttpOnly/i);
    assert.match(loginCookie?.attributes ?? '', /SameSite=Lax/i);
    assert.match(loginCookie?.attributes ?? '', /Max-Age=600/i);

    const { browser: signedIn, cookie } = await logIn('alice');
    assert.equal(cookie.split('.').length, 3);
    const me = await signedIn.request('GET', `${base}/api/v1/me`);
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), {
      subject: 'alice',
      name: TEST_USERS.alice.name,
      email: TEST_USERS.alice.email,
      groups: ['release-managers'],
      issuer: provider.issuer,
      method: 'oidc',
    });
  });

  test('the session cookie is HttpOnly, SameSite=Strict, Path=/, and not Secure on loopback http', async () => {
    const browser = new ScriptedBrowser();
    const res = await browser.request('GET', await toCallback(browser, 'bob'));
    const attributes = setCookieOf(res, SESSION_COOKIE)?.attributes ?? '';
    assert.match(attributes, /HttpOnly/i);
    assert.match(attributes, /SameSite=Strict/i);
    assert.match(attributes, /Path=\//i);
    assert.doesNotMatch(attributes, /Secure/i);
    const maxAge = Number(/Max-Age=(\d+)/i.exec(attributes)?.[1]);
    assert.ok(maxAge > 0 && maxAge <= 600, `Max-Age ${maxAge}: at most the access token's 600 s`);
  });

  test('a write by cookie needs Content-Type: application/json and X-Ramp-Request: 1 (CSRF)', async () => {
    const { cookie } = await logIn('carol');
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/promotions`, { method: 'POST', headers: { cookie: `${SESSION_COOKIE}=${cookie}`, ...headers }, body: '{}' });
    const incomplete: Record<string, string>[] = [{}, { 'content-type': 'application/json' }, { 'x-ramp-request': '1', 'content-type': 'text/plain' }];
    for (const headers of incomplete) {
      const refused = await post(headers);
      assert.equal(refused.status, 403, JSON.stringify(headers));
      const body = (await refused.json()) as { message: string };
      assert.match(body.message, /cross-site request forgery/);
    }
    // With both, the request reaches the route: its body is checked (and is not a promotion).
    const reached = await post({ 'content-type': 'application/json', 'x-ramp-request': '1' });
    assert.equal(reached.status, 400);
    assert.match(((await reached.json()) as { message: string }).message, /invalid request body/);
  });

  test('a tampered cookie and an expired session are 401', async () => {
    const { cookie } = await logIn('dave');
    const [header, payload = '', signature] = cookie.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { actor: { groups: string[] } };
    claims.actor.groups = ['sre', 'release-managers'];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const me = (value: string) => fetch(`${base}/api/v1/me`, { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
    const forged = await me(tampered);
    assert.equal(forged.status, 401);
    assert.match(((await forged.json()) as { message: string }).message, /not one this server issued/);
    // A session the server signed, whose access token expired a minute ago.
    const actor = { subject: 'dave', name: 'Dave Dunn', email: null, groups: [], issuer: provider.issuer, method: 'oidc' as const };
    const expired = await signSession(actor, Math.floor(Date.now() / 1000) - 60, sessionKeys(keys.signing));
    const late = await me(expired.token);
    assert.equal(late.status, 401);
    assert.match(((await late.json()) as { message: string }).message, /session expired/);
  });

  test('a callback with a wrong state is 400, and the right one still completes', async () => {
    const browser = new ScriptedBrowser();
    const callback = new URL(await toCallback(browser, 'alice'));
    const right = callback.searchParams.get('state')!;
    callback.searchParams.set('state', `${right}x`);
    const wrong = await browser.request('GET', callback.href);
    assert.equal(wrong.status, 400);
    assert.match(((await wrong.json()) as { message: string }).message, /login could not be completed/);
    assert.equal(setCookieOf(wrong, SESSION_COOKIE), undefined);
    callback.searchParams.set('state', right);
    await assertHop(await browser.request('GET', callback.href), '/api/v1/me');
  });

  test('a callback without the login cookie is 400', async () => {
    const callback = await toCallback(new ScriptedBrowser(), 'alice');
    const res = await fetch(callback, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /no login in progress/);
  });

  test('return= must be a path on this server (no open redirect)', async () => {
    for (const target of ['https://evil.example', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await fetch(`${base}/auth/login?return=${encodeURIComponent(target)}`, { redirect: 'manual' });
      assert.equal(res.status, 400, target);
      assert.equal(res.headers.get('location'), null);
      assert.match(((await res.json()) as { message: string }).message, /not a path on this server/);
    }
  });

  test('logout clears the session', async () => {
    const { browser } = await logIn('alice');
    assert.equal((await browser.request('GET', `${base}/api/v1/me`)).status, 200);
    const out = await browser.request('POST', `${base}/auth/logout`);
    assert.equal(out.status, 204);
    assert.equal(setCookieOf(out, SESSION_COOKIE)?.value, '');
    assert.equal((await browser.request('GET', `${base}/api/v1/me`)).status, 401);
  });

  test('a confidential web client (client secret) logs in too', async () => {
    const confidential = await start(WEB_CONFIDENTIAL_CLIENT_ID, provider.webClientSecret);
    const { browser } = await logIn('bob', confidential);
    const me = (await (await browser.request('GET', `${confidential}/api/v1/me`)).json()) as { subject: string; groups: string[] };
    assert.equal(me.subject, 'bob');
    assert.deepEqual(me.groups, ['sre']);
  });

  test('without an OpenID Provider, /auth/* are 404 with a hint', async () => {
    const bare = await testServer({ env: {}, pipelinesDir: dir });
    const res = await bare.app.request('/auth/login');
    assert.equal(res.status, 404);
    const body = (await res.json()) as { message: string; hint: string };
    assert.match(body.message, /browser sessions are not enabled/);
    assert.match(body.hint, /RAMP_SERVER_OIDC_ISSUER/);
    await bare.close();
  });
});
