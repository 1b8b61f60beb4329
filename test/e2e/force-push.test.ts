/**
 * Force-push detection beyond ramp's own writes (issue 12, docs/governance.md#history-guard), on the
 * real dev server with the real activities over a real bare repository, driven through the CLI:
 * a force-push drops an earlier promotion's commit while another promotion waits at its gate —
 * its own stage recorded nothing yet, so only the history guard can notice. Detected, writes
 * stop, acknowledged (recorded with who and why), resumed. Then the audit trail's branch.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { guardWorkflowId } from '../../src/domain/guard.js';
import { acknowledgeUpdate, guardStatusQuery, type GuardStatus } from '../../workflows/guard-messages.js';
import { promotionWorkflowId, stageStatusQuery, stageWorkflowId, type PromotionStatus, type StageStatus } from '../../workflows/messages.js';
import { startCliStack, type CliStack } from '../cli/helpers.js';
import { getTestEnv } from '../harness/temporal.js';
import { listen, type Listening } from '../../server/listen.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { testServer, tokenOf, verifyingWorker, type TestServer, type VerifyingWorker } from '../support/server.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { refusalOf, waitFor } from '../support/wait.js';

const DEADLINE_MS = 60_000;

describe('the history guard: a force-push beyond ramp\u2019s own writes', () => {
  let ramp: RealRamp;
  let stack: CliStack;
  before(async () => {
    const env = await getTestEnv();
    ramp = await realRamp(env, {}, undefined, {}, { guard: { intervalMs: 300 } });
    stack = await startCliStack(ramp.activities, { env });
  });
  after(async () => {
    await stack?.stop();
    await ramp?.cleanup();
  });

  const guardId = () => guardWorkflowId({ url: ramp.remote.remoteUrl, branch: 'main' });
  const guard = (done: (g: GuardStatus) => boolean, what: string) =>
    waitFor(() => stack.env.client.workflow.getHandle(guardId()).query(guardStatusQuery), done, what, DEADLINE_MS);
  const stage = (pipeline: string, promotionId: string, done: (s: StageStatus) => boolean, what: string) =>
    waitFor(
      () => stack.env.client.workflow.getHandle(stageWorkflowId(pipeline, 'staging')).query(stageStatusQuery),
      (s) => s.promotionId === promotionId && done(s),
      what,
      DEADLINE_MS,
    );
  const finished = (id: string) => stack.env.client.workflow.getHandle(id).result() as Promise<PromotionStatus>;
  const remoteHead = async (branch = 'main') => {
    const { git } = await ramp.remote.workdir();
    return (await git.raw(['ls-remote', ramp.remote.remoteUrl, `refs/heads/${branch}`])).split('\t')[0] ?? '';
  };
  const run = async (args: string[], code = 0) => {
    const result = await stack.run(args);
    assert.equal(result.code, code, `ramp ${args.join(' ')}: exit ${result.code}\n${result.stdout}${result.stderr}`);
    return result;
  };

  test('force-push on the real bare repository mid-promotion: detected, writes stop, acknowledged, resumed', async () => {
    const name = await stack.pipeline('guard', (n) =>
      pipelineYaml({ name: n, url: ramp.remote.remoteUrl, stages: { staging: { with: ['approval: { approvers: [alice] }'] } } }),
    );
    // Promotion A lands its commit on main; the guard starts with that push and sees it.
    const a = promotionWorkflowId(name, '1.1.0');
    await run(['promote', name, '1.1.0']);
    await stage(name, a, (s) => s.phase === 'AwaitingApproval', "A's gate");
    await run(['approve', a, '--stage', 'staging', '--as', 'alice']);
    assert.equal((await finished(a)).phase, 'Succeeded');
    const aCommit = await remoteHead();
    assert.notEqual(aCommit, ramp.remote.seedCommit);
    await guard((g) => g.phase === 'Ok' && g.branches.find((b) => b.branch === 'main')?.tip === aCommit, "the guard to see A's commit as main's tip");
    assert.equal((await run(['guard'])).code, 0);

    // Promotion B waits at its gate: its stage has recorded no commit of its own.
    const b = promotionWorkflowId(name, '1.2.0');
    await run(['promote', name, '1.2.0']);
    await stage(name, b, (s) => s.phase === 'AwaitingApproval', "B's gate");

    // Someone force-pushes main back to the seed plus a commit of their own: A's commit is gone.
    const { dir, git } = await ramp.remote.workdir();
    await git.raw(['reset', '--hard', ramp.remote.seedCommit]);
    await writeFile(path.join(dir, 'envs/staging/NOTES.md'), 'rewritten by hand\n');
    await git.add('.');
    await git.commit('Rewrite main by hand');
    await git.push(['--force', 'origin', 'main']);
    const rewritten = await remoteHead();

    const found = await guard((g) => g.rewritten !== null, 'the guard to notice the rewrite');
    assert.equal(found.phase, 'Rewritten');
    assert.ok(
      found.rewritten!.missing.some((m) => m.sha === aCommit && m.branch === 'main'),
      JSON.stringify(found.rewritten),
    );
    assert.ok(found.events.some((e) => e.kind === 'history-rewritten' && e.message.includes(aCommit.slice(0, 12))));
    const status = await run(['guard'], 1);
    assert.match(status.stdout, /REWRITTEN since/);
    assert.match(status.stdout, new RegExp(`missing ${aCommit} on main`));
    assert.match(status.stdout, new RegExp(`ramp guard ack ${name} --reason`));

    // B is approved: its first write is refused — nothing written — and the stage pauses.
    await run(['approve', b, '--stage', 'staging', '--as', 'alice']);
    const paused = await stage(name, b, (s) => s.pauseReason === 'HistoryRewritten', 'B to pause on the blocked write');
    assert.match(paused.message, /ramp wrote nothing/);
    assert.match(paused.message, /was rewritten \(a force-push\?\)/);
    assert.match(paused.message, new RegExp(`ramp guard ack ${name} --reason`));
    assert.equal(await remoteHead(), rewritten, 'nothing was written on the rewritten branch');

    // An acknowledgement without a reason is refused, on the record; `ramp guard ack` without one is a usage error.
    const handle = stack.env.client.workflow.getHandle(guardId());
    assert.match(await refusalOf(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'mallory', reason: ' ' }] })), /needs a reason/);
    assert.ok((await handle.query(guardStatusQuery)).events.some((e) => e.kind === 'refused' && e.actor === 'mallory'));
    assert.notEqual((await stack.run(['guard', 'ack', name, '--as', 'alice'])).code, 0);

    // Acknowledged with a reason: recorded with the actor and the missing commit; writes resume.
    const ack = await run(['guard', 'ack', name, '--reason', 'main restored from the backup; A re-promotes later', '--as', 'alice']);
    assert.match(ack.stdout, /acknowledged: ramp writes to .* again/);
    const after = await handle.query(guardStatusQuery);
    assert.equal(after.rewritten, null);
    const recorded = after.events.filter((e) => e.kind === 'history-ack').at(-1);
    assert.equal(recorded?.actor, 'alice');
    assert.equal(recorded?.reason, 'main restored from the backup; A re-promotes later');
    assert.ok(recorded?.missing?.some((m) => m.sha === aCommit));
    assert.equal(after.branches.find((x) => x.branch === 'main')?.tip, rewritten, 'the current tip is the new baseline');

    await run(['resume', b, '--as', 'alice']);
    assert.equal((await finished(b)).phase, 'Succeeded');
    const { git: fresh } = await ramp.remote.workdir();
    assert.equal((await fresh.raw(['rev-parse', 'HEAD~1'])).trim(), rewritten, "B's commit is on top of the rewritten main");
    assert.match(await fresh.raw(['log', '-1', '--format=%B']), /1\.2\.0/);
  });

  test('the audit trail\u2019s branch is watched too: a rewrite of ramp/audit blocks writes until acknowledged', async () => {
    // (The guard of this repository runs since the first test's pushes; their decisions made ramp's audit trail.)
    const { dir, git } = await ramp.remote.workdir();
    const audited = await git.fetch('origin', 'ramp/audit').then(
      () => true,
      () => false,
    );
    if (audited) {
      await git.raw(['checkout', '-B', 'ramp/audit', 'FETCH_HEAD']);
    } else {
      await git.raw(['checkout', '--orphan', 'ramp/audit']);
      await git.raw(['rm', '-rf', '--quiet', '.']);
      await writeFile(path.join(dir, 'audit.jsonl'), '{"n":1}\n');
      await git.add('audit.jsonl');
      await git.commit('audit: record 1');
      await git.push(['origin', 'ramp/audit']);
    }
    const first = await remoteHead('ramp/audit');
    await guard((g) => g.branches.find((b) => b.branch === 'ramp/audit')?.tip === first, 'the guard to see the audit branch');

    // Someone rewrites the trail's last commit and force-pushes it.
    await writeFile(path.join(dir, 'audit.jsonl'), '{"n":1,"tampered":true}\n');
    await git.add('audit.jsonl');
    await git.raw(['commit', '--amend', '-m', 'audit: rewritten']);
    await git.push(['--force', 'origin', 'ramp/audit']);

    const found = await guard((g) => g.rewritten !== null, 'the guard to notice the audit branch rewritten');
    assert.deepEqual(found.rewritten!.missing, [{ branch: 'ramp/audit', sha: first, seenAs: 'tip' }]);
    await run(['guard', 'ack', (found.pipelines[0] ?? '').trim(), '--reason', 'test: audit branch rewritten on purpose', '--as', 'alice']);
    await guard((g) => g.rewritten === null && g.phase === 'Ok', 'the guard to watch again');
  });
});

describe('the history guard through ramp server: who may acknowledge, signed and verified', () => {
  let env: Awaited<ReturnType<typeof getTestEnv>>;
  let dir: string;
  let worker: VerifyingWorker;
  let server: TestServer;
  let http: Listening;
  let pipeline: string;
  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(path.join(tmpdir(), 'ramp-guard-server-'));
    // The worker verifies what the server signs: unsigned acknowledgements are refused.
    worker = await verifyingWorker(env, dir, {}, { guard: { intervalMs: 300 } });
    pipeline = uniqueName('guarded');
    await writeFile(
      path.join(dir, `${pipeline}.yaml`),
      pipelineYaml({
        name: pipeline,
        url: worker.ramp.remote.remoteUrl,
        access: '    grants:\n      - { who: [alice], may: [administer] }',
        stages: { preview: {} },
      }),
    );
    const vars = { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' };
    server = await testServer({ env: vars, pipelinesDir: dir, keys: worker.keys });
    http = await listen(server, '127.0.0.1', 0);
  });
  after(async () => {
    await http?.stop(1_000);
    await worker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, as: string, body?: unknown) => {
    const response = await fetch(`${http.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: tokenOf(as) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  test('POST /api/v1/guard/ack: administer on the pipeline, a reason, a signed decision the worker verifies', async () => {
    const remote = worker.ramp.remote;
    const id = guardWorkflowId({ url: remote.remoteUrl, branch: 'main' });
    const handle = env.client.workflow.getHandle(id);
    // A promotion's push starts the guard (preview is a direct stage: one commit).
    const promoted = await call('POST', '/api/v1/promotions', 'alice', { pipeline, version: '1.1.0' });
    assert.equal(promoted.status, 201, JSON.stringify(promoted.body));
    const result = (await env.client.workflow.getHandle(String(promoted.body.promotionId)).result()) as PromotionStatus;
    assert.equal(result.phase, 'Succeeded');
    const pushed = (await (await remote.workdir()).git.raw(['ls-remote', remote.remoteUrl, 'refs/heads/main'])).split('\t')[0]!;
    await waitFor(
      () => handle.query(guardStatusQuery),
      (g) => g.phase === 'Ok' && g.branches[0]?.tip === pushed,
      'the guard to watch the pushed commit',
      DEADLINE_MS,
    );

    // main is force-pushed to a history of its own.
    const { dir: clone, git } = await remote.workdir();
    await git.raw(['checkout', '--orphan', 'fresh']);
    await writeFile(path.join(clone, 'README.md'), 'started over\n');
    await git.add('.');
    await git.commit('Start over');
    await git.push(['--force', 'origin', 'fresh:main']);
    await waitFor(
      () => handle.query(guardStatusQuery),
      (g) => g.rewritten !== null,
      'the guard to notice the rewrite',
      DEADLINE_MS,
    );

    const listed = await call('GET', '/api/v1/guard', 'rm');
    assert.equal(listed.status, 200);
    assert.ok((listed.body as unknown as GuardStatus[]).some((g) => g.url === remote.remoteUrl && g.rewritten?.missing.some((m) => m.sha === pushed)));

    // Not an administrator: 403, nothing acknowledged. No reason: 400. Unsigned, straight to Temporal: refused by the worker.
    const refused = await call('POST', '/api/v1/guard/ack', 'mallory', { pipeline, reason: 'looks fine' });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.match(String(refused.body.message), /mallory may not administer/);
    assert.equal((await call('POST', '/api/v1/guard/ack', 'alice', { pipeline, reason: ' ' })).status, 400);
    assert.match(await refusalOf(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'alice', reason: 'direct' }] })), /not a verified identity/);
    assert.notEqual((await handle.query(guardStatusQuery)).rewritten, null);

    const ack = await call('POST', '/api/v1/guard/ack', 'alice', { pipeline, reason: 'the repository was re-created on purpose' });
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    const status = await handle.query(guardStatusQuery);
    assert.equal(status.rewritten, null);
    const recorded = status.events.filter((e) => e.kind === 'history-ack').at(-1)!;
    assert.equal(recorded.identity?.method, 'oidc', 'the verified actor, from the signed decision');
    assert.equal(recorded.identity?.subject, 'sub-alice');
    assert.equal(recorded.channel, 'cli');
    assert.equal(recorded.reason, 'the repository was re-created on purpose');
    assert.deepEqual(
      recorded.missing?.map((m) => m.sha),
      [pushed],
    );
    assert.ok(status.events.some((e) => e.kind === 'refused' && /not a verified identity/.test(e.message)));
  });
});
