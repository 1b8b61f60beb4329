/**
 * Signed decisions (src/identity/decision-signature.ts) and the worker's verdict on a command
 * (activities/identity.ts): real Ed25519 keys; forged, expired, unsigned, re-typed and
 * algorithm-confused decisions are refused with a reason that never echoes the token.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { createIdentityActivities, readDecisionKeys } from '../../activities/identity.js';
import { ActorMethod, type Actor } from '../../src/identity/actor.js';
import { bindingRefusal, type DecisionClaims } from '../../src/identity/decision.js';
import { DECISION_TYPE, generateDecisionKeys, signDecision, verifyDecision, type DecisionSigningKey } from '../../src/identity/decision-signature.js';

const bob: Actor = { subject: 'sub-bob', name: 'bob', email: 'bob@example.com', groups: ['sre'], issuer: 'https://id.example.com', method: ActorMethod.Oidc };

function claims(overrides: Partial<DecisionClaims> = {}): DecisionClaims {
  return {
    decisionId: randomUUID(),
    action: 'approve',
    actor: bob,
    target: { promotionId: 'web@1.1.0', pipeline: 'web', version: '1.1.0', stage: 'production', gate: 'gate', attempt: 1, commit: 'a'.repeat(40) },
    issuedAt: new Date(Date.now() - 1000).toISOString(),
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
    ...overrides,
  };
}

describe('signed decisions', () => {
  let signing: DecisionSigningKey;
  let publicKeys: Awaited<ReturnType<typeof generateDecisionKeys>>['publicKeys'];
  let keysFile: string;
  before(async () => {
    ({ signing, publicKeys } = await generateDecisionKeys('k1'));
    keysFile = path.join(await mkdtemp(path.join(tmpdir(), 'ramp-keys-')), 'decision-keys.json');
    await writeFile(keysFile, JSON.stringify(publicKeys));
  });

  test('a decision signed by the server verifies and carries its claims', async () => {
    const original = claims();
    const result = await verifyDecision(await signDecision(original, signing), publicKeys);
    assert.ok(result.ok);
    assert.deepEqual(result.claims.actor, bob);
    assert.deepEqual(result.claims.target, original.target);
    assert.equal(result.claims.decisionId, original.decisionId);
  });

  test('forged, expired, unsigned and confused decisions are refused without echoing the token', async () => {
    const other = (await generateDecisionKeys('k1')).signing;
    const payload = { ramp: { action: 'approve', actor: bob, target: claims().target } };
    const now = Math.floor(Date.now() / 1000);
    const publicX = (publicKeys.keys[0] as { x: string }).x;
    const cases: [string, string, RegExp][] = [
      ['signed by another key with the same kid', await signDecision(claims(), other), /signature does not verify/],
      [
        'expired',
        await signDecision(
          claims({ issuedAt: new Date(Date.now() - 900_000).toISOString(), expiresAt: new Date(Date.now() - 300_000).toISOString() }),
          signing,
        ),
        /expired/,
      ],
      [
        'alg none',
        new UnsecuredJWT(payload)
          .setJti('x')
          .setIssuer('ramp-server')
          .setAudience('ramp-worker')
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .encode(),
        /not signed with EdDSA|malformed/,
      ],
      [
        'HS256 with the public key as the secret',
        await new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', typ: DECISION_TYPE, kid: 'k1' })
          .setJti('x')
          .setIssuer('ramp-server')
          .setAudience('ramp-worker')
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(base64url.decode(publicX)),
        /not signed with EdDSA/,
      ],
      ['garbage', 'not.a.token', /malformed/],
      ['empty', '', /malformed/],
    ];
    assert.ok(cases.length > 0);
    for (const [what, token, reason] of cases) {
      const result = await verifyDecision(token, publicKeys);
      assert.equal(result.ok, false, what);
      if (!result.ok) {
        assert.match(result.reason, reason, what);
        if (token.length > 10) assert.ok(!result.reason.includes(token), `${what}: the reason echoes the token`);
      }
    }
  });

  test('the binding names every field that differs', () => {
    const c = claims();
    assert.equal(bindingRefusal(c, 'approve', { ...c.target }), null);
    assert.match(bindingRefusal(c, 'approve', { ...c.target, attempt: 2, gate: 'step 2' }) ?? '', /gate gate \(this is step 2\), attempt 1 \(this is 2\)/);
    assert.match(bindingRefusal(c, 'reject', c.target) ?? '', /signed to approve, not to reject/);
  });

  test("the worker's verdict: unverified names count on the local stack, not where decisions can be verified", async () => {
    const local = createIdentityActivities({ decisionKeysFile: undefined });
    const served = createIdentityActivities({ decisionKeysFile: keysFile });
    const decision = await signDecision(claims(), signing);
    const table: [string, ReturnType<typeof local.authenticateCommand>, { verified: boolean; refusal: RegExp | null; method: string }][] = [
      [
        'local, no decision',
        local.authenticateCommand({ action: 'approve', actor: 'alice', needsVerified: true }),
        { verified: false, refusal: null, method: 'local-unverified' },
      ],
      [
        'local, a decision it cannot verify',
        local.authenticateCommand({ action: 'approve', actor: 'bob', decision, needsVerified: true }),
        { verified: false, refusal: /cannot verify/, method: 'local-unverified' },
      ],
      [
        'served, unsigned approval',
        served.authenticateCommand({ action: 'approve', actor: 'alice', needsVerified: true }),
        { verified: false, refusal: /alice is not a verified identity/, method: 'local-unverified' },
      ],
      [
        'served, unsigned pause',
        served.authenticateCommand({ action: 'pause', actor: 'oncall', needsVerified: false }),
        { verified: false, refusal: null, method: 'local-unverified' },
      ],
      [
        'served, signed',
        served.authenticateCommand({ action: 'approve', actor: 'whoever', decision, needsVerified: true }),
        { verified: true, refusal: null, method: 'oidc' },
      ],
    ];
    for (const [what, pending, want] of table) {
      const auth = await pending;
      assert.equal(auth.verified, want.verified, what);
      assert.equal(auth.actor.method, want.method, what);
      const refusal = auth.verified ? null : auth.refusal;
      if (want.refusal === null) assert.equal(refusal, null, what);
      else assert.match(refusal ?? '', want.refusal, what);
    }
  });

  test('a key rotation reaches the worker without a restart: the keys file is read again when it changes', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'ramp-keys-')), 'decision-keys.json');
    await writeFile(file, JSON.stringify(publicKeys));
    const worker = createIdentityActivities({ decisionKeysFile: file });
    const next = await generateDecisionKeys('k2');
    const signedByNext = await signDecision(claims(), next.signing);
    const before = await worker.authenticateCommand({ action: 'approve', actor: 'bob', decision: signedByNext, needsVerified: true });
    assert.equal(before.verified, false, 'the new key is not published yet');
    // Publish the new public key beside the old one (what a rotation does first).
    await writeFile(file, JSON.stringify({ keys: [...publicKeys.keys, ...next.publicKeys.keys] }));
    const after = await worker.authenticateCommand({ action: 'approve', actor: 'bob', decision: signedByNext, needsVerified: true });
    assert.equal(after.verified, true, 'the new key is accepted once published');
    const old = await worker.authenticateCommand({ action: 'approve', actor: 'bob', decision: await signDecision(claims(), signing), needsVerified: true });
    assert.equal(old.verified, true, 'the old key still counts until it is withdrawn');
  });

  test('a keys file with a private key, or no keys, is a configuration error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ramp-keys-'));
    const cases: [string, string][] = [
      ['private.json', JSON.stringify({ keys: [signing.jwk] })],
      ['empty.json', JSON.stringify({ keys: [] })],
      ['broken.json', '{'],
    ];
    for (const [name, text] of cases) {
      await writeFile(path.join(dir, name), text);
      await assert.rejects(readDecisionKeys(path.join(dir, name)), /RAMP_DECISION_KEYS_FILE|decision-keys\.json/, name);
    }
  });
});
