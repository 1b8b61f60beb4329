/**
 * Slack approvals end to end (issue 11): ramp server with Slack interactions on, a worker with
 * the real activities that verifies the server's decisions, the real Temporal dev server and a
 * GitOps remote; a local HTTP endpoint stands in for Slack — it records what the real
 * @slack/web-api client asks (users.info) and what the server answers through response_url.
 * Interaction payloads are signed the way Slack signs them (v0 HMAC-SHA256 of
 * `v0:{timestamp}:{body}` with the signing secret).
 *
 * Stale and badly signed requests are refused (401, audit line); an unmapped Slack user and a
 * mapped non-approver (found by the e-mail users.info gives) get an ephemeral refusal; the
 * approver's click approves production with channel slack; a click after the gate moved on is
 * refused.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseSlackUsers } from '../../server/integrations/slack/users.js';
import { listen, type Listening } from '../../server/listen.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { testServer, tokenOf, verifyingWorker, type TestServer, type VerifyingWorker } from '../support/server.js';
import { waitFor } from '../support/wait.js';

interface Snapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

interface Recorded {
  path: string;
  body: string;
  authorization: string | undefined;
}

const SECRET = 'slack-e2e-signing-secret';
const ISSUER = 'https://idp.example.test';

describe('Slack approvals (signed interactions, real worker and Temporal, a local Slack)', () => {
  let env: TestWorkflowEnvironment;
  let worker: VerifyingWorker;
  let dir: string;
  let server: TestServer;
  let http: Listening;
  let slack: Server;
  let slackUrl: string;
  const recorded: Recorded[] = [];
  let pipeline: string;

  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(join(tmpdir(), 'ramp-slack-'));
    worker = await verifyingWorker(env, dir);
    // The local Slack: users.info knows U777's e-mail; response_urls are recorded.
    slack = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        recorded.push({ path: req.url ?? '', body, authorization: req.headers.authorization });
        res.setHeader('content-type', 'application/json');
        if (req.url?.startsWith('/api/users.info')) {
          const user = new URLSearchParams(body).get('user');
          res.end(
            JSON.stringify(
              user === 'U777' ? { ok: true, user: { id: 'U777', profile: { email: 'Mallory@Example.test' } } } : { ok: false, error: 'user_not_found' },
            ),
          );
        } else res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((done) => slack.listen(0, '127.0.0.1', done));
    slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}`;

    pipeline = uniqueName('slack');
    await writeFile(
      join(dir, `${pipeline}.yaml`),
      pipelineYaml({
        name: pipeline,
        url: worker.ramp.remote.remoteUrl,
        stages: { preview: {}, production: { with: ['approval: { approvers: ["group:sre"], minApprovals: 1 }'], steps: ['setWeight: 50'] } },
      }),
    );
    server = await testServer({
      env: { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      pipelinesDir: dir,
      keys: worker.keys,
      slack: {
        signingSecret: SECRET,
        users: parseSlackUsers(
          {
            U200: { subject: 'carol', name: 'Carol Cole', email: 'carol@example.test', groups: ['sre'], issuer: ISSUER },
            'mallory@example.test': { subject: 'mallory', name: 'Mallory Moss', groups: [], issuer: ISSUER },
          },
          'the test users',
        ),
        botToken: 'test-slack-bot-token',
        slackApiUrl: `${slackUrl}/api/`,
      },
    });
    http = await listen(server, '127.0.0.1', 0);
  });

  after(async () => {
    await http?.stop(1_000);
    await new Promise((done) => slack?.close(done));
    await worker?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const statusOf = async (id: string): Promise<Snapshot> =>
    (await (await fetch(`${http.url}/api/v1/promotions/${encodeURIComponent(id)}`, { headers: { authorization: tokenOf('alice') } })).json()) as Snapshot;

  /** A click as Slack posts it: form-encoded payload, signed with the app's secret at `timestamp`. */
  function click(user: string, action: 'ramp_approve' | 'ramp_reject', value: unknown, responsePath: string) {
    const payload = {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
      team: { id: 'T1' },
      response_url: `${slackUrl}${responsePath}`,
      actions: [{ action_id: action, block_id: 'ramp', type: 'button', value: JSON.stringify(value) }],
    };
    return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }

  const post = (body: string, { timestamp = Math.floor(Date.now() / 1000), secret = SECRET } = {}) =>
    fetch(`${http.url}/integrations/slack/interactions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`,
      },
      body,
    });

  /** What the server told the clicking user through `path` (waits for it). */
  const answerAt = async (path: string): Promise<{ response_type: string; replace_original: boolean; text: string }> =>
    JSON.parse((await waitFor(() => Promise.resolve(recorded.find((r) => r.path === path)), Boolean, `an answer at ${path}`, 60_000))!.body) as {
      response_type: string;
      replace_original: boolean;
      text: string;
    };

  test("the approver's click approves with channel slack; forged, stale, unknown and unentitled clicks are refused", async () => {
    const started = await fetch(`${http.url}/api/v1/promotions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: tokenOf('alice') },
      body: JSON.stringify({ pipeline, version: '4.0.0' }),
    });
    const startedBody = (await started.json()) as { promotionId?: string };
    assert.equal(started.status, 201, JSON.stringify(startedBody));
    const id = String(startedBody.promotionId);
    const waiting = await waitFor(
      () => statusOf(id),
      (s) => s.activeStage?.phase === 'AwaitingApproval',
      'production to wait for its approval',
      90_000,
    );
    const gate = waiting.activeStage!.approvals.at(-1)!;
    const value = { promotionId: id, stage: 'production', gate: gate.gate, attempt: waiting.activeStage!.attempt, commit: gate.commit ?? null };

    // Forged and stale: 401, nothing posted, audit lines.
    const forged = await post(click('U200', 'ramp_approve', value, '/r/forged'), { secret: 'another-secret' });
    assert.equal(forged.status, 401);
    assert.match(((await forged.json()) as { message: string }).message, /does not match the request/);
    const stale = await post(click('U200', 'ramp_approve', value, '/r/stale'), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    assert.match(((await stale.json()) as { message: string }).message, /more than 5 minutes old/);
    const unsigned = await fetch(`${http.url}/integrations/slack/interactions`, { method: 'POST', body: click('U200', 'ramp_approve', value, '/r/unsigned') });
    assert.equal(unsigned.status, 401);
    assert.equal(server.logs.filter((l) => l.includes('"msg":"refused"') && l.includes('"kind":"bad-signature"')).length, 3);

    // Someone Slack knows but ramp does not: an ephemeral refusal, nothing decided.
    const unknown = await post(click('U999', 'ramp_approve', value, '/r/unknown'));
    assert.equal(unknown.status, 200);
    const unknownAnswer = await answerAt('/r/unknown');
    assert.deepEqual([unknownAnswer.response_type, unknownAnswer.replace_original], ['ephemeral', false]);
    assert.match(unknownAnswer.text, /ramp does not know who Slack user U999 is/);

    // Mallory, found by the e-mail Slack verified for U777 (users.info through @slack/web-api), is not an approver.
    assert.equal((await post(click('U777', 'ramp_approve', value, '/r/mallory'))).status, 200);
    const malloryAnswer = await answerAt('/r/mallory');
    assert.equal(malloryAnswer.response_type, 'ephemeral');
    assert.match(malloryAnswer.text, /Not approved: Mallory Moss is not in group:sre, which approves the gate approval of production/);
    // The real client asked users.info for each user the file does not name by id (U999, then U777), with the bot token.
    const lookups = recorded.filter((r) => r.path.startsWith('/api/users.info'));
    assert.deepEqual(
      lookups.map((r) => [new URLSearchParams(r.body).get('user'), r.authorization]),
      [
        ['U999', 'Bearer test-slack-bot-token'],
        ['U777', 'Bearer test-slack-bot-token'],
      ],
    );
    assert.equal((await statusOf(id)).activeStage!.approvals.at(-1)!.approvals.length, 0);

    // Carol approves with her click.
    assert.equal((await post(click('U200', 'ramp_approve', value, '/r/carol'))).status, 200);
    const carolAnswer = await answerAt('/r/carol');
    assert.match(carolAnswer.text, /Carol Cole approved the gate approval/);
    const done = await waitFor(
      () => statusOf(id),
      (s) => s.promotion.finishedAt !== null,
      'the promotion to finish',
      120_000,
    );
    assert.equal(done.promotion.phase, 'Succeeded', done.promotion.message);
    const record = done.promotion.stages.find((s) => s.name === 'production')!.result!.approvals.at(-1)!;
    assert.deepEqual(
      record.approvals.map((d) => [d.identity?.subject, d.identity?.method, d.identity?.issuer, d.channel]),
      [['carol', 'slack', ISSUER, 'slack']],
    );
    assert.deepEqual(
      record.refused.map((d) => [d.identity?.subject, d.channel]),
      [['mallory', 'slack']],
    );

    // The same button after the gate moved on: refused.
    assert.equal((await post(click('U200', 'ramp_approve', value, '/r/late'))).status, 200);
    assert.match((await answerAt('/r/late')).text, /Not approved: .*no longer running a stage/);
    for (const kind of ['unknown-user', 'forbidden', 'moved-on'])
      assert.ok(
        server.logs.some((l) => l.includes('"msg":"refused"') && l.includes(`"kind":"${kind}"`)),
        `no audit line of kind ${kind}`,
      );
  });
});
