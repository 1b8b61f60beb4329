// Harness self-check (not a test of ramp): startOidcProvider() runs oidc-provider as its own
// process and hands out tokens through the real flows. ramp's verification of them:
// test/integration/oidc-bearer.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { ScriptedBrowser } from '../../../scripts/lib/oidc-provider/scripted-browser.js';
import { AUTOMATION_CLIENT_ID, AUTOMATION_GROUPS, RAMP_AUDIENCE, startOidcProvider, TEST_USERS, type TestOidcProvider } from '../oidc.js';

describe('harness: a real OpenID Provider (oidc-provider) in its own process', () => {
  let provider: TestOidcProvider;

  before(async () => {
    provider = await startOidcProvider();
  });

  after(async () => {
    await provider?.stop();
  });

  async function verified(token: string): Promise<Record<string, unknown>> {
    const keys = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
    const { payload } = await jwtVerify(token, keys, { issuer: provider.issuer, audience: RAMP_AUDIENCE });
    return payload;
  }

  test('the discovery document names the device, token and JWKS endpoints', async () => {
    const res = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, provider.issuer);
    assert.equal(doc.jwks_uri, `${provider.issuer}/jwks`);
    assert.ok(String(doc.device_authorization_endpoint).startsWith(provider.issuer));
    assert.ok((doc.grant_types_supported as string[]).includes('urn:ietf:params:oauth:grant-type:device_code'));
  });

  test('code + PKCE: a JWT access token for ramp with the person and their groups, and a refresh token', async () => {
    const tokens = await provider.tokenFor('alice');
    assert.equal(decodeProtectedHeader(tokens.accessToken).alg, 'RS256');
    const claims = await verified(tokens.accessToken);
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.name, TEST_USERS.alice.name);
    assert.equal(claims.email, TEST_USERS.alice.email);
    assert.deepEqual(claims.groups, ['release-managers']);
    assert.ok(tokens.refreshToken, 'a refresh token');
  });

  test("device grant: the verification page driven as bob yields bob's token", async () => {
    const tokens = await provider.tokenFor('bob', { flow: 'device' });
    const claims = await verified(tokens.accessToken);
    assert.equal(claims.sub, 'bob');
    assert.deepEqual(claims.groups, ['sre']);
    assert.ok(tokens.refreshToken, 'a refresh token');
  });

  test('mallory has no groups', async () => {
    const claims = await verified((await provider.tokenFor('mallory')).accessToken);
    assert.equal(claims.sub, 'mallory');
    assert.deepEqual(claims.groups, []);
  });

  test('client credentials: a token for the automation client', async () => {
    const claims = await verified((await provider.clientCredentialsToken()).accessToken);
    assert.equal(claims.sub, AUTOMATION_CLIENT_ID);
    assert.deepEqual(claims.groups, AUTOMATION_GROUPS);
  });

  test('a login that is not a test user gets no authorization code', async () => {
    const config = await provider.cliClient();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1/callback',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const result = await new ScriptedBrowser().browse(
      url.href,
      (form): Record<string, string> => ('login' in form.fields ? { login: 'eve', password: 'x' } : {}),
      (u) => u.startsWith('http://127.0.0.1/callback'),
    );
    assert.deepEqual(
      result.submitted.map((f) => f.fields.prompt),
      ['login'],
      'the login form was submitted',
    );
    assert.ok(!result.url.startsWith('http://127.0.0.1/callback'), `no redirect with a code: ${result.url}`);
    assert.ok(result.status >= 400, `an error page (${result.status})`);
  });

  test('a wrong client secret is refused by the provider', async () => {
    const res = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${AUTOMATION_CLIENT_ID}:wrong`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });
});
