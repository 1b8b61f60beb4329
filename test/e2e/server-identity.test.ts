/**
 * Issue 10's "done when", end to end with real components: a real OpenID Provider (oidc-provider
 * as its own process) issuing tokens through the code + PKCE flow, ramp server wired as it ships
 * (server/identity.ts: OidcAuthenticator against the provider's keys, the pipelines' access
 * blocks), a worker with the real activities that verifies the server's signed decisions, the
 * real Temporal dev server and a real GitOps remote.
 *
 * A release manager promotes; an approver of another group is refused and recorded; the starter
 * cannot approve their own release; two distinct approvers satisfy a 2-of-group rule; the
 * promotion reaches production. Forged, expired, wrong-issuer, wrong-audience and alg-none tokens
 * get 401 and change nothing; a valid token without the permission gets 403, recorded.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SignJWT, UnsecuredJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { listen, type Listening } from '../../server/listen.js';
import { serverIdentity } from '../../server/identity.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { startOidcProvider, type TestOidcProvider, type TestUserName } from '../harness/oidc.js';
import { getTestEnv } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { testServer, verifyingWorker, type TestServer, type VerifyingWorker } from '../support/server.js';
import { waitFor } from '../support/wait.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface Snapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

describe('verified people through ramp server (a real OpenID Provider)', () => {
  let env: TestWorkflowEnvironment;
  let provider: TestOidcProvider;
  let worker: VerifyingWorker;
  let dir: string;
  let server: TestServer;
  let http: Listening;
  let pipeline: string;

  before(async () => {
    env = await getTestEnv();
    provider = await startOidcProvider();
    dir = await mkdtemp(join(tmpdir(), 'ramp-identity-'));
    worker = await verifyingWorker(env, dir);
    const { ramp, keys } = worker;
    pipeline = uniqueName('idp');
    await writeFile(
      join(dir, `${pipeline}.yaml`),
      pipelineYaml({
        name: pipeline,
        url: ramp.remote.remoteUrl,
        access: [
          '    grants:',
          '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }',
          '      - { who: ["group:sre"], may: [operate], stages: [production] }',
        ].join('\n'),
        stages: {
          preview: {},
          production: {
            with: ['approval: { approvers: ["group:sre", "group:release-managers"], require: "2 of group:sre" }'],
            steps: ['setWeight: 50'],
          },
        },
      }),
    );
    // The server as it ships: OpenID Connect against the provider, the pipelines' access blocks.
    const identity = serverIdentity({ issuer: provider.issuer, audience: provider.audience, groupsClaim: 'groups', serviceTokensFile: undefined });
    server = await testServer({
      env: { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      pipelinesDir: dir,
      keys,
      authenticator: identity.authenticator,
      authorize: identity.authorize,
    });
    http = await listen(server, '127.0.0.1', 0);
  });

  after(async () => {
    await http?.stop(1_000);
    await worker?.stop();
    await provider?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A fresh access token for `user`, through the provider's real code + PKCE flow. */
  const tokenOf = async (user: TestUserName): Promise<string> => (await provider.tokenFor(user)).accessToken;

  async function call(method: string, path: string, token: string | null, body?: unknown): Promise<Answer> {
    const response = await fetch(`${http.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const statusOf = async (id: string, token: string): Promise<Snapshot> => {
    const answer = await call('GET', `/api/v1/promotions/${encodeURIComponent(id)}`, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as unknown as Snapshot;
  };

  const approve = async (id: string, user: TestUserName, comment = `${user} looked`): Promise<Answer> =>
    call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, await tokenOf(user), { comment });

  /** Tokens no honest provider issued for this server: hand-signed, which only this test does. */
  async function forgedTokens(): Promise<[string, string][]> {
    const genuine = await tokenOf('alice');
    const { kid } = decodeProtectedHeader(genuine);
    const stranger = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'alice', name: 'Alice Archer', email: 'alice@example.test', groups: ['release-managers', 'sre'] };
    const signed = (payload: Record<string, unknown>, exp: number, iat = now) =>
      new SignJWT({ ...claims, ...payload })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...(kid ? { kid } : {}) })
        .setIssuedAt(iat)
        .setExpirationTime(exp);
    return [
      ['forged (another key, the provider’s kid)', await signed({ iss: provider.issuer, aud: provider.audience }, now + 600).sign(stranger.privateKey)],
      ['expired', await signed({ iss: provider.issuer, aud: provider.audience }, now - 3600, now - 7200).sign(stranger.privateKey)],
      ['wrong issuer', await signed({ iss: 'https://evil.example', aud: provider.audience }, now + 600).sign(stranger.privateKey)],
      ['wrong audience', await signed({ iss: provider.issuer, aud: 'someone-else' }, now + 600).sign(stranger.privateKey)],
      [
        'alg none',
        new UnsecuredJWT({ ...claims, iss: provider.issuer, aud: provider.audience })
          .setIssuedAt(now)
          .setExpirationTime(now + 600)
          .encode(),
      ],
      ['garbage', 'not-a-token'],
    ];
  }

  test('a release manager promotes, four-eyes and group rules hold, bad tokens change nothing, and it reaches production', async () => {
    // mallory has a valid token but no grant: 403, and the refusal is in the server's audit log.
    const refusedStart = await call('POST', '/api/v1/promotions', await tokenOf('mallory'), { pipeline, version: '1.1.0' });
    assert.equal(refusedStart.status, 403, JSON.stringify(refusedStart.body));
    assert.match(
      String(refusedStart.body.message),
      /Mallory Moss may not promote idp-[0-9a-f]+: the access block grants promote on all stages \('\*'\) to group:release-managers/,
    );
    assert.ok(
      server.logs.some((line) => line.includes('"msg":"refused"') && line.includes('"subject":"mallory"')),
      'the refusal is on the record',
    );

    // alice, a release manager, promotes: the promotion records her verified identity.
    const started = await call('POST', '/api/v1/promotions', await tokenOf('alice'), { pipeline, version: '1.1.0' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = String(started.body.promotionId);
    const alice = await tokenOf('alice');
    const gate = await waitFor(
      () => statusOf(id, alice),
      (s) => s.activeStage?.phase === 'AwaitingApproval',
      'production to wait for its approval',
      90_000,
    );
    assert.deepEqual(
      { subject: gate.promotion.requester?.subject, method: gate.promotion.requester?.method, groups: gate.promotion.requester?.groups },
      { subject: 'alice', method: 'oidc', groups: ['release-managers'] },
    );
    const eventsBefore = gate.activeStage!.events.length;

    // Forged, expired, wrong-issuer, wrong-audience and alg-none tokens: 401, and nothing changes.
    const forged = await forgedTokens();
    assert.ok(forged.length >= 6);
    for (const [what, token] of forged) {
      for (const [method, path, body] of [
        ['POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, { comment: 'forged' }],
        ['POST', `/api/v1/promotions/${encodeURIComponent(id)}/abort`, { reason: 'forged' }],
        ['POST', '/api/v1/promotions', { pipeline, version: '6.6.6' }],
      ] as const) {
        const answer = await call(method, path, token, body);
        assert.equal(answer.status, 401, `${what} ${path}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body.error, 'unauthenticated');
        assert.ok(!JSON.stringify(answer.body).includes(token), `${what}: the answer echoes the token`);
      }
    }
    const untouched = await statusOf(id, alice);
    assert.equal(untouched.activeStage!.events.length, eventsBefore, 'no bad token left a trace on the stage');
    assert.equal(untouched.activeStage!.approvals[0]!.approvals.length, 0);
    assert.equal((await call('GET', `/api/v1/promotions/${encodeURIComponent(`${pipeline}@6.6.6`)}`, alice)).status, 404, 'nothing was started');

    // The starter cannot approve her own release (four-eyes).
    const own = await approve(id, 'alice');
    assert.equal(own.status, 403, JSON.stringify(own.body));
    assert.match(String(own.body.message), /Alice Archer started this promotion and may not approve it \(four-eyes/);
    // Someone of another group (dave, product) is refused, and so is someone of none (mallory): 403, recorded.
    const product = await approve(id, 'dave');
    assert.equal(product.status, 403, JSON.stringify(product.body));
    assert.match(
      String(product.body.message),
      /Dave Dunn is not an approver of the gate approval of production: its approvers are group:sre, group:release-managers \(Dave Dunn is in group:product\)/,
    );
    const outsider = await approve(id, 'mallory');
    assert.equal(outsider.status, 403, JSON.stringify(outsider.body));
    assert.match(String(outsider.body.message), /Mallory Moss is not an approver of the gate approval of production/);

    // Two distinct sre approvers satisfy the rule; bob twice is one person.
    assert.equal((await approve(id, 'bob')).status, 200);
    const twice = await approve(id, 'bob');
    assert.equal(twice.status, 403, JSON.stringify(twice.body));
    assert.match(String(twice.body.message), /Bob Baker has already approved/);
    const carol = await approve(id, 'carol');
    assert.equal(carol.status, 200, JSON.stringify(carol.body));
    assert.match(String(carol.body.message), /\(sre 2\/2/);

    const done = await waitFor(
      () => statusOf(id, alice),
      (s) => s.promotion.finishedAt !== null,
      'the promotion to finish',
      120_000,
    );
    assert.equal(done.promotion.phase, 'Succeeded', done.promotion.message);
    const production = done.promotion.stages.find((s) => s.name === 'production')!.result!;
    assert.equal(production.phase, 'Promoted');
    const record = production.approvals[0]!;
    assert.deepEqual(
      record.approvals.map((d) => [d.identity?.subject, d.identity?.method, d.identity?.issuer]),
      [
        ['bob', 'oidc', provider.issuer],
        ['carol', 'oidc', provider.issuer],
      ],
    );
    // Every refusal is on the stage's record with the verified actor.
    const refused = production.events.filter((e) => e.kind === 'approve-refused').map((e) => [e.identity?.subject, e.identity?.method]);
    assert.deepEqual(refused, [
      ['alice', 'oidc'],
      ['dave', 'oidc'],
      ['mallory', 'oidc'],
      ['bob', 'oidc'],
    ]);
    // The commits name the verified approvers.
    const history = await call('GET', `/api/v1/pipelines/${pipeline}/history?stage=production`, alice);
    assert.equal(history.status, 200, JSON.stringify(history.body));
  });
});
