// ramp's OidcAuthenticator against a real OpenID Provider (test/harness/oidc.ts): tokens from the
// real code + PKCE, device and client-credentials flows are accepted and map to the right Actor;
// real tokens for another audience, from another issuer, or past their expiry are refused.
// Hand-forged tokens: test/unit/bearer-forged.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AuthenticationError } from '../../src/identity/authenticator.js';
import { OidcAuthenticator } from '../../src/identity/bearer.js';
import { AUTOMATION_CLIENT_ID, CLI_CLIENT_ID, RAMP_AUDIENCE, startOidcProvider, TEST_USERS, type TestOidcProvider } from '../harness/oidc.js';
import { waitFor } from '../support/wait.js';

async function refusal(promise: Promise<unknown>): Promise<AuthenticationError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AuthenticationError, `expected an AuthenticationError, got ${String(err)}`);
    return err;
  }
  throw new Error('the token was accepted, but a refusal was expected');
}

describe('OidcAuthenticator with tokens from a real OpenID Provider', () => {
  let provider: TestOidcProvider;
  let other: TestOidcProvider;
  let authenticator: OidcAuthenticator;

  before(async () => {
    [provider, other] = await Promise.all([startOidcProvider(), startOidcProvider({ accessTokenAlg: 'ES256', accessTokenTTL: 2 })]);
    authenticator = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE });
  });

  after(async () => {
    await Promise.all([provider?.stop(), other?.stop()]);
  });

  test('alice (code + PKCE) is alice of release-managers, verified by the issuer', async () => {
    const { accessToken } = await provider.tokenFor('alice');
    const actor = await authenticator.authenticate(`Bearer ${accessToken}`);
    assert.deepEqual(actor, {
      subject: 'alice',
      name: TEST_USERS.alice.name,
      email: TEST_USERS.alice.email,
      groups: ['release-managers'],
      issuer: provider.issuer,
      method: 'oidc',
    });
  });

  test('bob (device grant) is in sre; mallory is in no group', async () => {
    const bob = await authenticator.authenticate(`Bearer ${(await provider.tokenFor('bob', { flow: 'device' })).accessToken}`);
    assert.equal(bob.subject, 'bob');
    assert.deepEqual(bob.groups, ['sre']);
    const mallory = await authenticator.authenticate(`bearer ${(await provider.tokenFor('mallory')).accessToken}`);
    assert.equal(mallory.subject, 'mallory');
    assert.deepEqual(mallory.groups, []);
  });

  test('a client-credentials token is the automation client', async () => {
    const actor = await authenticator.authenticate(`Bearer ${(await provider.clientCredentialsToken()).accessToken}`);
    assert.deepEqual(actor, {
      subject: AUTOMATION_CLIENT_ID,
      name: 'ramp automation',
      email: null,
      groups: ['automation'],
      issuer: provider.issuer,
      method: 'oidc',
    });
  });

  test('the groups claim is configurable', async () => {
    const byUsername = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE, groupsClaim: 'preferred_username' });
    const actor = await byUsername.authenticate(`Bearer ${(await provider.tokenFor('carol')).accessToken}`);
    assert.deepEqual(actor.groups, ['carol']);
  });

  test('a token for another audience is refused, and says so', async () => {
    const elsewhere = new OidcAuthenticator({ issuer: provider.issuer, audience: 'billing' });
    const err = await refusal(elsewhere.authenticate(`Bearer ${(await provider.tokenFor('dave')).accessToken}`));
    assert.match(err.message, /audience "ramp", not billing/);
  });

  test("another issuer's token is refused: the same kid, but not the configured issuer's key", async () => {
    const { accessToken } = await other.tokenFor('alice');
    const err = await refusal(authenticator.authenticate(`Bearer ${accessToken}`));
    // Both providers name their keys test-rs256 and test-es256: the kid matches, the signature cannot.
    assert.match(err.message, /signature does not verify with the issuer's key/);
    assert.ok(!err.message.includes(accessToken), 'the token is not echoed');
  });

  test('an ES256 token from its own issuer is accepted, and refused once it has expired', async () => {
    const strict = new OidcAuthenticator({ issuer: other.issuer, audience: RAMP_AUDIENCE, clockToleranceSeconds: 0 });
    const { accessToken } = await other.tokenFor('bob');
    // The token lives 2 s: accepted (while fresh) or expired are the only outcomes; wait for the refusal.
    const refusedAs = await waitFor(
      () =>
        strict.authenticate(`Bearer ${accessToken}`).then(
          () => 'accepted',
          (err: Error) => err.message,
        ),
      (outcome) => outcome !== 'accepted',
      'the 2 s token to expire',
      60_000,
    );
    assert.match(refusedAs, /^the token expired at \d{4}-\d\d-\d\dT/);
    const fresh = await other.tokenFor('bob');
    assert.equal((await new OidcAuthenticator({ issuer: other.issuer, audience: RAMP_AUDIENCE }).authenticate(`Bearer ${fresh.accessToken}`)).subject, 'bob');
  });

  test('a real ID token is refused as a bearer token, even when the audience is misconfigured to include the client', async () => {
    const { accessToken, idToken } = await provider.tokenFor('alice');
    assert.ok(idToken, 'the code flow returned an ID token');
    // What the provider really issues: access tokens typed at+jwt, ID tokens untyped, for the client.
    assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');
    assert.equal(decodeProtectedHeader(idToken).typ, undefined);
    assert.equal(decodeJwt(idToken).aud, CLI_CLIENT_ID);
    assert.match((await refusal(authenticator.authenticate(`Bearer ${idToken}`))).message, /audience "ramp-cli", not ramp/);
    // An audience that wrongly includes the client id lets the ID token past the audience check;
    // requireAccessTokenType still tells it from the access token.
    const strict = new OidcAuthenticator({ issuer: provider.issuer, audience: [RAMP_AUDIENCE, CLI_CLIENT_ID], requireAccessTokenType: true });
    assert.equal((await strict.authenticate(`Bearer ${accessToken}`)).subject, 'alice');
    const err = await refusal(strict.authenticate(`Bearer ${idToken}`));
    assert.match(err.message, /type \(typ header\) is missing, and ramp is configured to accept only access tokens typed at\+jwt/);
    assert.ok(!err.message.includes(idToken) && !err.hint.includes(idToken), 'the token is not echoed');
  });

  test('no header, another scheme, or no token: refused before any key is fetched', async () => {
    assert.match((await refusal(authenticator.authenticate(undefined))).message, /no Authorization header/);
    assert.match((await refusal(authenticator.authenticate('Basic YWxpY2U6cHc='))).message, /not a bearer token \(scheme "Basic"\)/);
    assert.match((await refusal(authenticator.authenticate('Bearer '))).message, /no token after "Bearer"/);
  });
});
