/**
 * Generated hostile input against the parsers of business approvals: approval-link tokens
 * (mutated genuine tokens, other algorithms, junk) through verifyApprovalLink and through
 * GET /approve/:token, and Slack interaction bodies through the payload parser and through a
 * correctly signed POST /integrations/slack/interactions. Every answer is an answer: never an
 * exception, never a 500, never the token echoed, and a mutated token never says anything other
 * than what was signed. Temporal-free (no case reaches a decision).
 *
 * Seeded: RAMP_FUZZ_SEED=<n> picks another set; RAMP_FUZZ_CASES=<n> scales it.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { parseSlackInteraction } from '../../server/integrations/slack/payload.js';
import { signApprovalLink, verifyApprovalLink, type ApprovalLinkClaims } from '../../src/identity/approval-link.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { FUZZ_SEED, prng, type Random } from '../support/random.js';
import { testServer, type TestServer } from '../support/server.js';

const SEED = FUZZ_SEED;
const CASES = Number(process.env.RAMP_FUZZ_CASES ?? 400);
const REPRODUCE = `seed ${SEED}; reproduce with RAMP_FUZZ_SEED=${SEED} npx tsx scripts/test.ts --no-check test/unit/approval-fuzz.test.ts`;
const SECRET = 'fuzz-signing-secret';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const claims: ApprovalLinkClaims = {
  linkId: 'link-1',
  approver: 'dave@example.test',
  target: { promotionId: 'web@1.2.0', pipeline: 'web', version: '1.2.0', stage: 'production', gate: 'gate', attempt: 1, commit: 'a'.repeat(40) },
  issuedAt: new Date(Date.now() - 60_000).toISOString(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
};

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token near a genuine one: one change of many kinds. */
function mutate(r: Random, token: string): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const at = (s: string) => r.int(Math.max(1, s.length));
  switch (r.int(11)) {
    case 0: {
      const i = at(token);
      return `${token.slice(0, i)}${r.pick([...B64])}${token.slice(i + 1)}`;
    }
    case 1:
      return token.slice(0, at(token));
    case 2:
      return `${header}.${payload}.`;
    case 3:
      return `${b64({ alg: 'none', typ: 'ramp-approval-link+jwt' })}.${payload}.`;
    case 4:
      return `${b64({ alg: r.pick(['HS256', 'RS256', 'ES256', 'EdDSA']), typ: r.pick(['ramp-approval-link+jwt', 'ramp-decision+jwt', 'JWT']), kid: r.pick(['test', 'x', '../../etc']) })}.${payload}.${signature}`;
    case 5: {
      const forged = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>) };
      forged[r.pick(['ramp', 'jti', 'exp', 'iss', 'aud', 'iat'])] = r.pick([null, 'x', 0, 1e12, { approver: 'mallory' }, ['a'], 'ramp-server']);
      return `${header}.${b64(forged)}.${signature}`;
    }
    case 6:
      return `${header}.${payload}.${signature}.${signature}`;
    case 7:
      return r.pick(['', '.', '..', '...', 'a.b.c', '%00', '%zz', '💩', '<script>', 'a'.repeat(r.pick([10, 5_000, 20_000]))]);
    case 8:
      return `${token}${r.pick(['=', '==', ' ', '%20', '/x', '?a=b'])}`;
    case 9:
      return [header, payload, signature].sort(() => r.next() - 0.5).join('.');
    default:
      return Array.from({ length: r.int(300) }, () => r.pick([...B64, '.'])).join('');
  }
}

function randomJson(r: Random, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 1e308, 2 ** 53 + 1]);
    case 2:
      return r.chance(0.5);
    case 3:
      return r.pick(['block_actions', 'ramp_approve', 'ramp_reject', 'U1', '', '\u0000', '\ud800', '__proto__', 'https://hooks.slack.com/x', 'javascript:x']);
    case 4:
      return 'a'.repeat(r.pick([10, 600, 3_000]));
    case 5:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(5) }, () => [
          r.pick([
            'type',
            'user',
            'id',
            'actions',
            'action_id',
            'value',
            'response_url',
            'team',
            'promotionId',
            'stage',
            'gate',
            'attempt',
            'commit',
            '__proto__',
            'constructor',
          ]),
          randomJson(r, depth + 1),
        ]),
      );
  }
}

/** A Slack body: a near-valid interaction with one part replaced, or junk. */
function slackBody(r: Random): string {
  const value = { promotionId: 'web@1.2.0', stage: 'production', gate: 'gate', attempt: 1, commit: null };
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: { id: 'U1' },
    response_url: 'https://hooks.slack.com/x',
    actions: [{ action_id: 'ramp_approve', value: JSON.stringify(value) }],
  };
  switch (r.int(4)) {
    case 0:
      payload[r.pick(Object.keys(payload))] = randomJson(r);
      break;
    case 1:
      (payload.actions as Record<string, unknown>[])[0]!.value = r.chance(0.5) ? JSON.stringify(randomJson(r)) : randomJson(r);
      break;
    case 2:
      return `payload=${encodeURIComponent(JSON.stringify(randomJson(r)))}`;
    default:
      return r.pick(['', 'payload=', 'payload=%zz', 'payload=%7B', '&&&', `payload=${'a'.repeat(70_000)}`, 'a=b&payload=null']);
  }
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

describe(`approval links and Slack payloads under generated input (${REPRODUCE})`, () => {
  let keys: Awaited<ReturnType<typeof generateDecisionKeys>>;
  let token: string;
  let server: TestServer;

  before(async () => {
    keys = await generateDecisionKeys('fuzz-link');
    token = await signApprovalLink(claims, keys.signing);
    server = await testServer({
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1' },
      pipelinesDir: '/nonexistent',
      browser: {
        issuer: 'http://127.0.0.1:1',
        clientId: 'ramp-web',
        publicUrl: 'http://127.0.0.1:8480',
        groupsClaim: 'groups',
        verifyAccessToken: () => Promise.reject(new Error('no provider in this test')),
      },
      links: { publicKeys: keys.publicKeys },
      slack: { signingSecret: SECRET, users: new Map() },
    });
  });

  after(async () => server?.close());

  test('a mutated link token never throws and never says other than what was signed', async () => {
    const r = prng(SEED);
    for (let i = 0; i < CASES; i++) {
      const mutated = mutate(r, token);
      const result = await verifyApprovalLink(mutated, keys.publicKeys);
      if (result.ok)
        assert.deepEqual(result.claims, { ...claims, issuedAt: result.claims.issuedAt, expiresAt: result.claims.expiresAt }, `case ${i}: ${mutated}`);
      else assert.ok(!result.reason.includes(mutated) || mutated.length < 3, `case ${i}: the reason echoes the token`);
    }
  });

  test('GET /approve/<mutated> answers a page (400, 410 or 302 to the login), never 500, never the token', async () => {
    const r = prng(SEED + 1);
    for (let i = 0; i < CASES / 4; i++) {
      const mutated = mutate(r, token);
      const response = await server.app.request(`/approve/${encodeURIComponent(mutated)}`, { redirect: 'manual' });
      const body = await response.text();
      assert.ok([302, 400, 404, 410].includes(response.status), `case ${i}: ${response.status} for ${mutated.slice(0, 100)}: ${body.slice(0, 300)}`);
      if (response.status === 302) assert.match(response.headers.get('location') ?? '', /^\/auth\/login\?return=%2Fapprove%2F/);
      if (mutated.length > 8) assert.ok(!body.includes(mutated), `case ${i}: the page echoes the token`);
    }
  });

  test('Slack payloads never throw the parser, and a signed junk POST is 200 or 400, never 500', async () => {
    const r = prng(SEED + 2);
    for (let i = 0; i < CASES; i++) {
      const body = slackBody(r);
      const parsed = parseSlackInteraction(body);
      assert.equal(typeof parsed.ok, 'boolean');
      if (parsed.ok) continue; // a valid click would reach Temporal: the e2e test decides those
      const timestamp = String(Math.floor(Date.now() / 1000));
      const response = await server.app.request('/integrations/slack/interactions', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`,
        },
        body,
      });
      const text = await response.text();
      assert.ok([200, 400, 413].includes(response.status), `case ${i}: ${response.status} ${text.slice(0, 300)}`);
      assert.equal(response.status === 200, parsed.ignore, `case ${i}: ignored clicks are 200, unreadable ones 400: ${parsed.reason}`);
    }
  });
});
