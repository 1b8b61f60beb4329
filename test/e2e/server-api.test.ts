/**
 * ramp server over HTTP, end to end: the real dev server, a worker with the real activities
 * over a real GitOps remote, the server listening on a port. Promote, watch (Server-Sent
 * Events), approve, refuse; and the error answers: 400, 401, 403, 404, 409, 413, 429.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listen, type Listening } from '../../server/listen.js';
import { verifyDecision } from '../../src/identity/decision-signature.js';
import { stageWorkflowId, type PromotionStatus, type StageStatus } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import type { RealRamp } from '../support/real-ramp.js';
import { testServer, tokenOf, verifyingWorker, type TestServer, type VerifyingWorker } from '../support/server.js';
import { waitFor } from '../support/wait.js';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: string; message?: string; hint?: string };
}

/** One Server-Sent Event as the stream sent it. */
interface SentEvent {
  event: string;
  data: string;
}

describe('ramp server over HTTP', () => {
  let env: TestWorkflowEnvironment;
  let ramp: RealRamp;
  let worker: VerifyingWorker;
  let dir: string;
  let server: TestServer;
  let http: Listening;
  let pipeline: string;
  /** The environment the servers read (Temporal, the worker's task queue). */
  let vars: Record<string, string>;
  let keys: VerifyingWorker['keys'];

  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(join(tmpdir(), 'ramp-server-'));
    // The worker verifies what the server signs (RAMP_DECISION_KEYS_FILE).
    worker = await verifyingWorker(env, dir, { 'release-managers': ['carol'] });
    ({ ramp, keys } = worker);
    pipeline = uniqueName('srv');
    await writeFile(
      join(dir, `${pipeline}.yaml`),
      pipelineYaml({
        name: pipeline,
        url: ramp.remote.remoteUrl,
        stages: {
          preview: {},
          production: { with: ['approval: { approvers: [alice, "group:release-managers"], minApprovals: 1 }'], steps: ['setWeight: 20', 'pause: {}'] },
        },
      }),
    );
    vars = { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' };
    server = await testServer({
      env: vars,
      pipelinesDir: dir,
      events: { pollMs: 100, heartbeatMs: 200 },
      keys,
    });
    http = await listen(server, '127.0.0.1', 0);
  });

  after(async () => {
    await http?.stop(1_000);
    await worker?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, options: { as?: string | null; body?: unknown; raw?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.as !== null) headers.authorization = tokenOf(options.as ?? 'rm');
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${http.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  }

  function assertError(answer: Answer, status: number, error: string, message?: RegExp): void {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.error, error);
    assert.equal(typeof answer.body.hint, 'string');
    if (message) assert.match(answer.body.message ?? '', message);
  }

  /** Reads the promotion's event stream in the background, collecting every event. */
  function watchEvents(id: string, base = http.url): { events: SentEvent[]; comments: number[]; done: Promise<void>; stop: () => void } {
    const abort = new AbortController();
    const events: SentEvent[] = [];
    const comments: number[] = [];
    const done = (async () => {
      const response = await fetch(`${base}/api/v1/promotions/${encodeURIComponent(id)}/events`, {
        headers: { authorization: tokenOf('rm') },
        signal: abort.signal,
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body!) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(':')) comments.push(Date.now());
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
            if (event) events.push({ event, data });
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    return { events, comments, done, stop: () => abort.abort() };
  }

  test('promote, follow the status, approve; refusals answer with the right status and shape', async () => {
    // Without a token, with a bad one: 401, and nothing else happens.
    const anonymous = await call('GET', '/api/v1/me', { as: null });
    assertError(anonymous, 401, 'unauthenticated', /no bearer token/);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
    assertError(await call('POST', '/api/v1/promotions', { as: 'BAD!', body: { pipeline, version: '1.1.0' } }), 401, 'unauthenticated');
    assert.equal((await call('GET', '/api/v1/me', { as: 'alice' })).body.name, 'alice');

    // Invalid bodies and unknown things.
    assertError(await call('POST', '/api/v1/promotions', { body: { pipeline } }), 400, 'invalid_request', /body\.version/);
    assertError(await call('POST', '/api/v1/promotions', { raw: '{"pipeline":' }), 400, 'invalid_request', /not JSON/);
    assertError(
      await call('POST', '/api/v1/promotions', { body: { pipeline: 'no-such-pipeline', version: '1.1.0' } }),
      404,
      'not_found',
      /no pipeline named no-such-pipeline/,
    );
    assertError(await call('GET', `/api/v1/promotions/${pipeline}@9.9.9`), 404, 'not_found', new RegExp(`no promotion ${pipeline}@9\\.9\\.9`));
    assertError(
      await call('POST', '/api/v1/promotions', { raw: JSON.stringify({ pipeline, version: '1.1.0', pad: 'x'.repeat(70_000) }) }),
      413,
      'payload_too_large',
    );
    assertError(await call('POST', '/api/v1/promotions', { as: 'nobody', body: { pipeline, version: '1.1.0' } }), 403, 'forbidden', /nobody may not promote/);

    // Promote: the same JSON as `ramp promote --json`.
    const started = await call('POST', '/api/v1/promotions', {
      body: { pipeline, version: '1.1.0', release: { commit: 'abc1234', authors: ['dev@example.com'] } },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = `${pipeline}@1.1.0`;
    assert.deepEqual(
      { ...started.body, runId: typeof started.body.runId },
      {
        promotionId: id,
        runId: 'string',
        pipeline,
        version: '1.1.0',
        kind: 'promote',
        stages: ['preview', 'production'],
        requestedBy: 'rm',
      },
    );
    assertError(await call('POST', '/api/v1/promotions', { body: { pipeline, version: '1.1.0' } }), 409, 'refused', /already running/);

    // The status, as `ramp status --json`, until production waits for its approval.
    const waiting = await waitFor(
      () => call('GET', `/api/v1/promotions/${encodeURIComponent(id)}`),
      (a) => (a.body.activeStage as { phase?: string } | null)?.phase === 'AwaitingApproval',
      'production to wait for approval',
      60_000,
    );
    assert.equal((waiting.body.promotion as { promotionId: string }).promotionId, id);
    const listed = await waitFor(
      () => call('GET', `/api/v1/promotions?pipeline=${pipeline}`),
      (a) => Array.isArray(a.body) && (a.body as unknown as { id: string }[]).some((row) => row.id === id),
      'the promotion in the list',
      60_000,
    );
    assert.equal(listed.status, 200);

    // Watch it, then approve: the stream delivers the change the approval caused.
    const stream = watchEvents(id);
    await waitFor(
      () => Promise.resolve(stream.events.length),
      (n) => n > 0,
      'the first status event',
      60_000,
    );
    const first = JSON.parse(stream.events[0]!.data) as { activeStage: { phase: string } | null };
    assert.equal(first.activeStage?.phase, 'AwaitingApproval');
    assertError(
      await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/preview/approve`, { as: 'alice', body: {} }),
      409,
      'refused',
      /is at stage production, not preview/,
    );
    assertError(
      await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, { as: 'alice', body: { comment: 42 } }),
      400,
      'invalid_request',
      /body\.comment/,
    );
    // A running promotion keeps the spec it pinned: its approval goes through even when the
    // server's pipeline file has gone meanwhile (renamed, deleted by a deploy).
    const file = join(dir, `${pipeline}.yaml`);
    await rename(file, `${file}.away`);
    const approved = await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, {
      as: 'alice',
      body: { comment: 'ship it' },
    }).finally(() => rename(`${file}.away`, file));
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(typeof approved.body.message, 'string');
    // The approval was signed for this promotion, stage, gate, attempt and the commit the gate is bound to, and sent with its id as the Update id.
    const approval = server.signed.at(-1)!;
    assert.equal(approval.claims.action, 'approve');
    const { commit, ...target } = approval.claims.target;
    assert.deepEqual(target, { promotionId: id, pipeline, version: '1.1.0', stage: 'production', gate: 'gate', attempt: 1 });
    assert.match(commit ?? '', /^[0-9a-f]{40}$/, 'the head of the branch when the gate opened');
    assert.equal(approval.claims.actor.subject, 'sub-alice');
    const verified = await verifyDecision(approval.token, server.publicKeys);
    assert.ok(verified.ok && verified.claims.decisionId === approval.decisionId);
    const updateIds: string[] = [];
    const history = await env.client.workflow.getHandle(stageWorkflowId(pipeline, 'production')).fetchHistory();
    for (const event of history.events ?? []) {
      const id = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId;
      if (id) updateIds.push(id);
    }
    assert.ok(updateIds.includes(approval.decisionId), `update ids ${updateIds.join(', ')} hold the decision id ${approval.decisionId}`);
    const started1 = server.signed.find((d) => d.claims.action === 'promote')!;
    assert.deepEqual(started1.claims.target, { promotionId: id, pipeline, version: '1.1.0', stage: null, gate: null, attempt: null, commit: 'abc1234' });

    const afterApproval = await waitFor(
      () =>
        Promise.resolve(
          stream.events.filter((e) => e.event === 'status').map((e) => JSON.parse(e.data) as { activeStage: { approvals: { outcome: string }[] } | null }),
        ),
      (statuses) => statuses.some((s) => s.activeStage?.approvals.some((a) => a.outcome === 'Approved')),
      'a status event showing the approval',
      60_000,
    );
    assert.ok(afterApproval.length >= 2);
    await waitFor(
      () => Promise.resolve(stream.comments.length),
      (n) => n > 0,
      'a heartbeat comment',
      60_000,
    );

    // Approving a stage that no longer waits for approval: the workflow refuses, 409.
    await waitFor(
      () => call('GET', `/api/v1/promotions/${encodeURIComponent(id)}`),
      (a) => (a.body.activeStage as { phase?: string } | null)?.phase === 'Paused',
      'the production pause',
      60_000,
    );
    assertError(await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, { as: 'alice', body: {} }), 409, 'refused');
    assertError(await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/resume`, { as: 'nobody', body: {} }), 403, 'forbidden');

    // Abort it: the stream ends with `end` once the promotion finished.
    const aborted = await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/abort`, { body: { reason: 'test over' } });
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    await waitFor(
      () => Promise.resolve(stream.events.map((e) => e.event)),
      (events) => events.includes('end'),
      'the end event',
      60_000,
    );
    await stream.done;
    assert.equal(server.context.feed.watched, 0, 'the read loop stopped with its last watcher');

    // The pipeline's history (as `ramp history --json`): the approval and the revert are in Git.
    const commits = await call('GET', `/api/v1/pipelines/${pipeline}/history?stage=production`);
    assert.equal(commits.status, 200, JSON.stringify(commits.body));
    const entries = commits.body as unknown as { promotion: string; approvedBy: string[]; rollback: { reason: string } | null }[];
    assert.ok(
      entries.some((e) => e.promotion === id && e.approvedBy.includes('alice')),
      JSON.stringify(entries),
    );
    assert.ok(
      entries.some((e) => e.rollback !== null),
      'the revert is in the history',
    );
    assertError(await call('GET', `/api/v1/pipelines/${pipeline}/history?stage=qa`), 404, 'not_found', /has no stage qa/);
    assertError(await call('GET', `/api/v1/pipelines/${pipeline}/history?limit=0`), 400, 'invalid_request', /query\.limit/);
    assertError(await call('GET', `/api/v1/pipelines/${pipeline}/drift`), 404, 'not_found', /watches for drift/);

    // The request log: one line per request, the caller's subject, never a token.
    const requests = server.logs.filter((line) => line.includes('"msg":"request"'));
    assert.ok(requests.length >= 15);
    assert.ok(requests.some((line) => line.includes('"actor":"sub-alice"') && line.includes('"status":200')));
    assert.ok(!server.logs.some((line) => /token-/.test(line)), 'no token in the log');
  });

  test('skip and rollback carry the reason the release page asks for, and the record keeps it', async () => {
    const at = (id: string) => `/api/v1/promotions/${encodeURIComponent(id)}`;
    const snapshot = (id: string) => call('GET', at(id)).then((a) => a.body as unknown as { promotion: PromotionStatus; activeStage: StageStatus | null });
    const started = await call('POST', '/api/v1/promotions', { body: { pipeline, version: '1.3.0' } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = String(started.body.promotionId);
    await waitFor(
      () => snapshot(id),
      (s) => s.activeStage?.phase === 'AwaitingApproval',
      'production to wait for its approval',
      90_000,
    );
    assert.equal((await call('POST', `${at(id)}/stages/production/approve`, { as: 'alice', body: {} })).status, 200);
    await waitFor(
      () => snapshot(id),
      (s) => s.activeStage?.phase === 'Paused',
      'the production pause',
      90_000,
    );
    const skipped = await call('POST', `${at(id)}/stages/production/skip`, { as: 'alice', body: { reason: 'the canary is clean' } });
    assert.equal(skipped.status, 200, JSON.stringify(skipped.body));
    const done = await waitFor(
      () => snapshot(id),
      (s) => s.promotion.finishedAt !== null,
      'the promotion to finish',
      90_000,
    );
    assert.equal(done.promotion.phase, 'Succeeded', done.promotion.message);
    const production = done.promotion.stages.find((s) => s.name === 'production')!.result!;
    assert.ok(
      production.events.some((e) => e.kind === 'skipped' && /skipped the remaining canary steps: the canary is clean; promoting fully/.test(e.message)),
      JSON.stringify(production.events.map((e) => e.message)),
    );

    const rollback = await call('POST', '/api/v1/rollbacks', {
      body: { pipeline, version: '1.0.0', stages: ['production'], reason: 'the campaign numbers dropped' },
    });
    assert.equal(rollback.status, 201, JSON.stringify(rollback.body));
    const back = await waitFor(
      () => snapshot(String(rollback.body.promotionId)),
      (s) => s.promotion.finishedAt !== null,
      'the rollback to finish',
      90_000,
    );
    assert.equal(back.promotion.phase, 'Succeeded', back.promotion.message);
    assert.match(back.promotion.events[0]!.message, /asked to rollback .* 1\.0\.0: the campaign numbers dropped$/);
  });

  test('a graceful stop ends the event streams, then the server stops', async () => {
    const second = await testServer({ env: vars, pipelinesDir: dir, events: { pollMs: 100, heartbeatMs: 60_000 }, keys });
    const secondHttp = await listen(second, '127.0.0.1', 0);
    const id = `${pipeline}@1.2.0`;
    const started = await call('POST', '/api/v1/promotions', { body: { pipeline, version: '1.2.0' } });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const stream = watchEvents(id, secondHttp.url);
    await waitFor(
      () => Promise.resolve(stream.events.length),
      (n) => n > 0,
      'the first status event',
      60_000,
    );
    await secondHttp.stop(10_000);
    await stream.done;
    assert.equal(stream.events.at(-1)?.event, 'end');
    await assert.rejects(fetch(`${secondHttp.url}/healthz`), 'the stopped server accepts no connection');
    // The promotion goes on: the server held no state.
    const aborted = await call('POST', `/api/v1/promotions/${encodeURIComponent(id)}/abort`, { body: { reason: 'test over' } });
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
  });

  test('a client over its rate gets 429 with Retry-After', async () => {
    const limited = await testServer({ env: { TEMPORAL_ADDRESS: env.address }, pipelinesDir: dir, limits: { rateBurst: 3, ratePerSecond: 0.01 } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await limited.app.request('/api/v1/me', { headers: { authorization: tokenOf('alice') } });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
      assert.equal(((await last!.json()) as { error: string }).error, 'rate_limited');
      // Another client is not limited by this one.
      assert.equal((await limited.app.request('/api/v1/me', { headers: { authorization: tokenOf('carol') } })).status, 200);
    } finally {
      await limited.close();
    }
  });
});
