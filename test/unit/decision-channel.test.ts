/**
 * The decision channel (cli, web, link, slack): signed into the decision by the server, read
 * back by the worker's verification, refused when it names no channel ramp knows; and shown by
 * `ramp status` on the approval lines ("approved via link"), the CLI being the default and not
 * named. The workflow's recording is covered end to end (test/e2e/approval-links.test.ts,
 * test/e2e/slack-approvals.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SignJWT, importJWK } from 'jose';
import { renderStatus } from '../../cli/render/status.js';
import { decisionSigner } from '../../server/decisions.js';
import { DECISION_TYPE, generateDecisionKeys, verifyDecision } from '../../src/identity/decision-signature.js';
import type { DecisionTarget } from '../../src/identity/decision.js';
import { approval, production, promotion, utc } from '../cli/status-fixtures.js';
import { actorNamed } from '../support/server.js';

const target: DecisionTarget = { promotionId: 'web@1.4.2', pipeline: 'web', version: '1.4.2', stage: 'production', gate: 'gate', attempt: 1, commit: null };

describe('the channel in the signed decision', () => {
  test('signed by the server and read back by the worker; cli unless the route says otherwise', async () => {
    const keys = await generateDecisionKeys('test');
    const sign = decisionSigner(keys.signing);
    for (const channel of ['web', 'link', 'slack', 'cli'] as const) {
      const signed = await sign('approve', actorNamed('carol'), target, { channel });
      const verified = await verifyDecision(signed.token, keys.publicKeys);
      assert.ok(verified.ok);
      assert.equal(verified.claims.channel, channel);
    }
    const plain = await sign('approve', actorNamed('carol'), target);
    const verified = await verifyDecision(plain.token, keys.publicKeys);
    assert.equal(verified.ok && verified.claims.channel, 'cli');
  });

  test("a link's decision carries the link's id", async () => {
    const keys = await generateDecisionKeys('test');
    const signed = await decisionSigner(keys.signing)('approve', actorNamed('dave'), target, { channel: 'link', decisionId: 'link-42' });
    assert.equal(signed.decisionId, 'link-42');
    const verified = await verifyDecision(signed.token, keys.publicKeys);
    assert.equal(verified.ok && verified.claims.decisionId, 'link-42');
  });

  test('a decision signed before channels has none (read as cli); an unknown channel is refused', async () => {
    const keys = await generateDecisionKeys('test');
    const key = await importJWK(keys.signing.jwk, 'EdDSA');
    const token = (ramp: Record<string, unknown>) =>
      new SignJWT({ ramp: { action: 'approve', actor: actorNamed('carol'), target, ...ramp } })
        .setProtectedHeader({ alg: 'EdDSA', typ: DECISION_TYPE, kid: 'test' })
        .setJti('d1')
        .setIssuer('ramp-server')
        .setAudience('ramp-worker')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    const old = await verifyDecision(await token({}), keys.publicKeys);
    assert.ok(old.ok);
    assert.equal('channel' in old.claims, false);
    const odd = await verifyDecision(await token({ channel: 'fax' }), keys.publicKeys);
    assert.deepEqual(odd, { ok: false, reason: 'the signed decision names an unknown channel; expected one of cli, web, link, slack' });
  });
});

describe('ramp status names the channel', () => {
  test('approved via link, rejected via slack, refused via web; the CLI is not named', () => {
    const gate = approval({
      approvals: [
        { actor: 'dave', at: '2026-11-21T09:00:20.000Z', comment: 'business says yes', channel: 'link' },
        { actor: 'carol', at: '2026-11-21T09:00:21.000Z', comment: '', channel: 'cli' },
      ],
      rejection: { actor: 'erin', at: '2026-11-21T09:00:22.000Z', comment: 'not today', channel: 'slack' },
      refused: [{ actor: 'mallory', at: '2026-11-21T09:00:15.000Z', comment: '', action: 'approve', reason: 'not an approver', channel: 'web' }],
    });
    const text = renderStatus(promotion(), production({ approvals: [gate] }), utc);
    assert.match(text, /✖ mallory tried to approve via web, refused: not an approver/);
    assert.match(text, /✔ dave approved via link: business says yes/);
    assert.match(text, /✔ carol approved\n/);
    assert.match(text, /✖ erin rejected via slack: not today/);
  });
});
