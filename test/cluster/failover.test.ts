/**
 * Failover on the real cluster (PostgreSQL, TLS): three ramp worker processes on one task queue
 * and two `ramp server` processes serve five promotions, each over its own GitOps remote, through
 * three faults, each while the promotions are mid-canary:
 *   1. the worker running a canary step's Git write is SIGKILLed (the other two finish);
 *   2. the Temporal server is SIGKILLed and started again right after the production gates are approved;
 *   3. PostgreSQL is restarted right after the production canaries are resumed (one is aborted).
 * Every start, approval, resume and abort goes through the API, alternating between the servers.
 * At the end: four promotions Succeeded and one Aborted (its production canary reverted); in each
 * remote every ramp commit is there exactly once (Ramp-Step and Ramp-Stage trailers, in order);
 * each environment's files are the last successful release's.
 * Runs with `npm run test:cluster`, not with `npm test`. docs/testing.md (the cluster suite).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import { simpleGit } from 'simple-git';
import { startTemporalCluster, type TemporalCluster } from '../../scripts/lib/temporal-server.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { ServiceTokenStore } from '../../src/identity/service-tokens.js';
import { AUDIT_BRANCH, AUDIT_FILE, type AuditRecord } from '../../src/audit/record.js';
import { readTrail, verifyTrail } from '../../src/audit/chain.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { promotionOutcome } from '../../workflows/promotion-outcome.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';
import { cleanupOnSignal } from '../harness/reaper.js';
import { installTestRuntime, uniqueTaskQueue } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const VERSION = '2.0.0';
const PROMOTIONS = 5;
/** The last promotion is aborted at its production pause: its production canary is reverted. */
const ABORTED = PROMOTIONS - 1;
/** Generous: every wait spans a fault and a few dozen Git writes on a shared 2-core machine. */
const WAIT_MS = 180_000;

/** The pause at index 1 parks every promotion mid-canary until it is resumed. */
const STAGING_STEPS = ['setWeight: 10', 'pause: {}', 'setWeight: 20', 'setWeight: 40', 'setWeight: 60', 'setWeight: 80'];
/** Behind an approval gate; the pause at index 2 parks them again. */
const PRODUCTION_STEPS = ['setWeight: 20', 'setWeight: 40', 'pause: {}', 'setWeight: 60', 'setWeight: 80'];

/** `Ramp-Step|Ramp-Stage` of each commit, oldest first, as a clean promotion writes them. */
const PREVIEW_COMMITS = ['1/update|preview'];
const STAGING_COMMITS = ['1/0/canary/10', '1/2/setWeight-20', '1/3/setWeight-40', '1/4/setWeight-60', '1/5/setWeight-80', '1/promote'].map(
  (s) => `${s}|staging`,
);
const PRODUCTION_BEFORE_PAUSE = ['1/0/canary/20', '1/1/setWeight-40'].map((s) => `${s}|production`);
const PRODUCTION_AFTER_PAUSE = ['1/3/setWeight-60', '1/4/setWeight-80', '1/promote'].map((s) => `${s}|production`);

interface Promotion {
  pipeline: string;
  remote: GitOpsRemote;
  id: string;
}

interface Snapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

let cluster: TemporalCluster;
let client: Client;
let workDir: string;
const workers: WorkerProcess[] = [];
const servers: ServerProcess[] = [];
const promotions: Promotion[] = [];
/** Bearer credentials: who promotes, and who approves (four-eyes keeps them apart). */
let deployer: string;
let approver: string;
let requests = 0;

/** The next server, in turn: consecutive requests alternate between the two. */
function nextServer(): ServerProcess {
  return servers[requests++ % servers.length]!;
}

/** A POST through the next server; fails the test unless it answers `expected`. */
async function post(path: string, token: string, body: unknown, expected = 200): Promise<unknown> {
  const server = nextServer();
  const answer = await server.request('POST', path, `Bearer ${token}`, body);
  assert.equal(answer.status, expected, `POST ${path} via ${server.url}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function snapshot(p: Promotion): Promise<Snapshot> {
  const server = nextServer();
  const answer = await server.request('GET', `/api/v1/promotions/${encodeURIComponent(p.id)}`, `Bearer ${deployer}`);
  if (answer.status !== 200) throw new Error(`GET ${p.id} via ${server.url}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as Snapshot;
}

/** Waits until every promotion's snapshot (read through the servers) satisfies `done`. */
async function waitForAll(what: string, done: (s: Snapshot, index: number) => boolean): Promise<Snapshot[]> {
  return waitFor(
    () => Promise.all(promotions.map((p) => snapshot(p))),
    (all) => all.every(done),
    `every promotion ${what}`,
    WAIT_MS,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${diagnostics()}`, { cause: error });
  });
}

function pausedAt(stage: string, step: number) {
  return (s: Snapshot): boolean =>
    s.activeStage?.stage === stage && s.activeStage.phase === 'Paused' && s.activeStage.pauseReason === 'CanaryPauseStep' && s.activeStage.currentStep === step;
}

function diagnostics(): string {
  return [
    ...workers.map((w, i) => `--- worker ${i} (pid ${w.child.pid}, ${w.child.exitCode ?? w.child.signalCode ?? 'running'}) tail:\n${tail(w.output())}`),
    ...servers.map((s, i) => `--- server ${i} (${s.url}) tail:\n${tail(s.output())}`),
  ].join('\n');
}

const tail = (text: string, lines = 15): string => text.trim().split('\n').slice(-lines).join('\n');

/** `Ramp-Step|Ramp-Stage` of every commit on main that has them, oldest first. */
async function rampCommits(remote: GitOpsRemote): Promise<string[]> {
  const log = await simpleGit(remote.bareDir).raw([
    'log',
    '--reverse',
    '--format=%(trailers:key=Ramp-Step,valueonly,separator=)|%(trailers:key=Ramp-Stage,valueonly,separator=)',
    'main',
  ]);
  return log.split('\n').filter((l) => l.includes('|') && l !== '|');
}

before(async () => {
  installTestRuntime();
  cluster = await startTemporalCluster({ log: (line) => process.stderr.write(`[cluster] ${line}\n`) });
  cleanupOnSignal(() => cluster.stop());
  client = new Client({ connection: await cluster.connect(), namespace: cluster.namespace });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'ramp-cluster-failover-'));

  // The keys `ramp server keys` writes: the servers sign every decision, the workers verify it.
  const keys = await generateDecisionKeys('failover');
  const signingKeyFile = path.join(workDir, 'signing.jwk.json');
  const decisionKeysFile = path.join(workDir, 'decision-keys.json');
  await writeFile(signingKeyFile, JSON.stringify(keys.signing.jwk), { mode: 0o600 });
  await writeFile(decisionKeysFile, JSON.stringify(keys.publicKeys));
  const tokens = new ServiceTokenStore(path.join(workDir, 'service-tokens.json'));
  const scope = { permissions: ['*'], pipelines: ['*'] };
  deployer = (await tokens.create({ name: 'deployer', scope, createdBy: 'test' })).token;
  approver = (await tokens.create({ name: 'approver', scope, createdBy: 'test' })).token;

  const pipelinesDir = path.join(workDir, 'pipelines');
  await mkdir(pipelinesDir);
  for (let i = 0; i < PROMOTIONS; i++) {
    const remote = await createGitOpsRemote();
    const pipeline = uniqueName(`failover${i}`);
    const yaml = pipelineYaml({
      name: pipeline,
      url: remote.remoteUrl,
      stages: {
        preview: {},
        staging: { steps: STAGING_STEPS },
        production: { with: ['approval: { approvers: [approver] }'], steps: PRODUCTION_STEPS },
      },
    });
    await writeFile(path.join(pipelinesDir, `${pipeline}.yaml`), yaml);
    promotions.push({ pipeline, remote, id: '' });
  }

  const taskQueue = uniqueTaskQueue('cluster-failover');
  const groupsFile = path.join(workDir, 'groups.yaml');
  await writeFile(groupsFile, 'groups:\n  {}\n');
  for (let i = 0; i < 3; i++) {
    workers.push(
      startWorkerProcess({
        ...cluster.env,
        RAMP_TASK_QUEUE: taskQueue,
        // Each worker its own clones, as on separate machines.
        RAMP_CACHE_DIR: path.join(workDir, `cache-${i}`),
        RAMP_GROUPS_FILE: groupsFile,
        RAMP_DECISION_KEYS_FILE: decisionKeysFile,
      }),
    );
  }
  const serverEnv = {
    ...cluster.env,
    RAMP_TASK_QUEUE: taskQueue,
    RAMP_SERVER_SIGNING_KEY_FILE: signingKeyFile,
    RAMP_SERVICE_TOKENS_FILE: path.join(workDir, 'service-tokens.json'),
    RAMP_UPDATE_TIMEOUT_MS: '30000',
  };
  servers.push(...(await Promise.all([startServerProcess(pipelinesDir, serverEnv), startServerProcess(pipelinesDir, serverEnv)])));
  await Promise.all(workers.map((w) => w.started));
});

after(async () => {
  await Promise.allSettled([...workers.map((w) => w.kill('SIGKILL')), ...servers.map((s) => s.stop())]);
  await cluster?.stop();
  await Promise.allSettled(promotions.map((p) => p.remote.cleanup()));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

test('five promotions started through two ramp servers park mid-canary in staging', async () => {
  for (const p of promotions) {
    const started = (await post('/api/v1/promotions', deployer, { pipeline: p.pipeline, version: VERSION }, 201)) as { promotionId?: string };
    assert.ok(started.promotionId, JSON.stringify(started));
    p.id = started.promotionId;
  }
  await waitForAll('paused at the staging canary pause', pausedAt('staging', 1));
  for (const p of promotions) assert.deepEqual(await rampCommits(p.remote), [...PREVIEW_COMMITS, STAGING_COMMITS[0]]);
});

test('the worker running a canary step is SIGKILLed; the other two finish staging', async () => {
  for (const p of promotions) await post(`/api/v1/promotions/${encodeURIComponent(p.id)}/stages/staging/resume`, approver, {});

  // The worker whose Git write of a canary step Temporal sees in flight (its identity is pid@host).
  const byPid = new Map(workers.map((w) => [w.child.pid, w]));
  const stageIds = (await Promise.all(promotions.map((p) => snapshot(p)))).map((s) => s.promotion.activeStage?.workflowId);
  const found = await waitFor(
    async () => {
      for (const id of stageIds) {
        if (!id) continue;
        const { raw } = await client.workflow.getHandle(id).describe();
        for (const activity of raw.pendingActivities ?? []) {
          const pid = Number(/^(\d+)@/.exec(activity.lastWorkerIdentity ?? '')?.[1]);
          // PENDING_ACTIVITY_STATE_STARTED
          if (activity.activityType?.name === 'commitStageChange' && Number(activity.state) === 2 && byPid.has(pid)) return { id, pid };
        }
      }
      return undefined;
    },
    (hit) => hit !== undefined,
    'a canary step Git write in flight on one of the workers',
    WAIT_MS,
  );
  const victim = byPid.get(found!.pid)!;
  await victim.kill('SIGKILL');
  process.stderr.write(`[failover] SIGKILLed worker pid ${found!.pid} while it ran commitStageChange of ${found!.id}\n`);
  assert.equal(victim.child.signalCode, 'SIGKILL');

  // Staging promoted everywhere; each production approval gate waits.
  await waitForAll('at the production approval gate', (s) => s.activeStage?.stage === 'production' && s.activeStage.phase === 'AwaitingApproval');
  for (const p of promotions) assert.deepEqual(await rampCommits(p.remote), [...PREVIEW_COMMITS, ...STAGING_COMMITS]);
});

test('the Temporal server is SIGKILLed and started again right after the production gates are approved', async () => {
  for (const p of promotions) await post(`/api/v1/promotions/${encodeURIComponent(p.id)}/stages/production/approve`, approver, { comment: 'failover' });
  const before = await Promise.all(promotions.map((p) => rampCommits(p.remote)));
  await cluster.restart({ crash: true });
  process.stderr.write(`[failover] Temporal server SIGKILLed and started again with ${before.map((c) => c.length).join(', ')} commits in the remotes\n`);

  await waitForAll('paused at the production canary pause', pausedAt('production', 2));
  for (const p of promotions) assert.deepEqual(await rampCommits(p.remote), [...PREVIEW_COMMITS, ...STAGING_COMMITS, ...PRODUCTION_BEFORE_PAUSE]);
});

test('PostgreSQL restarts right after the production canaries are resumed (one aborted); each ends as it should', async () => {
  for (const [i, p] of promotions.entries()) {
    if (i === ABORTED) await post(`/api/v1/promotions/${encodeURIComponent(p.id)}/abort`, approver, { reason: 'failover test: abort at the pause' });
    else await post(`/api/v1/promotions/${encodeURIComponent(p.id)}/stages/production/resume`, approver, {});
  }
  const before = await Promise.all(promotions.map((p) => rampCommits(p.remote)));
  await cluster.postgres.stop();
  await cluster.postgres.start();
  process.stderr.write(`[failover] PostgreSQL restarted with ${before.map((c) => c.length).join(', ')} commits in the remotes\n`);

  const ended = await waitForAll('ended', (s) => ['Succeeded', 'Aborted', 'Failed'].includes(s.promotion.phase));
  assert.deepEqual(
    ended.map((s) => s.promotion.phase),
    promotions.map((_, i) => (i === ABORTED ? 'Aborted' : 'Succeeded')),
  );
  // The two workers left, and both servers, rode out both restarts without exiting.
  const alive = [...workers.map((w) => w.child), ...servers.map((s) => s.child)].filter((c) => c.exitCode === null && c.signalCode === null);
  assert.equal(alive.length, workers.length - 1 + servers.length, diagnostics());
  // The workflows' own outcomes agree (an aborted promotion's workflow fails, carrying its status).
  for (const [i, p] of promotions.entries()) {
    const outcome = await promotionOutcome(client.workflow.getHandle(p.id).result() as Promise<PromotionStatus>);
    assert.equal(outcome.phase, i === ABORTED ? 'Aborted' : 'Succeeded', p.id);
  }
});

test('every ramp commit is in its remote exactly once, and each environment is at its last successful release', async () => {
  for (const [i, p] of promotions.entries()) {
    const commits = await rampCommits(p.remote);
    const git = simpleGit(p.remote.bareDir);
    const image = async (file: string) => /image: (\S+)/.exec(await git.show([`main:${file}`]))?.[1];
    assert.equal(await image('envs/preview/deployment.yaml'), `web:${VERSION}`);
    assert.equal(await image('envs/staging/stable.yaml'), `web:${VERSION}`);
    if (i === ABORTED) {
      assert.deepEqual(commits.slice(0, -2), [...PREVIEW_COMMITS, ...STAGING_COMMITS, ...PRODUCTION_BEFORE_PAUSE]);
      // The two production canary commits, each reverted once, newest first.
      assert.deepEqual(commits.slice(-2), ['1/rollback|production', '1/rollback|production']);
      // Production is exactly what it was before the promotion: the seed's 1.0.0.
      assert.equal(await git.revparse(['main:envs/production']), await git.revparse([`${p.remote.seedCommit}:envs/production`]));
    } else {
      assert.deepEqual(commits, [...PREVIEW_COMMITS, ...STAGING_COMMITS, ...PRODUCTION_BEFORE_PAUSE, ...PRODUCTION_AFTER_PAUSE]);
      assert.equal(await image('envs/production/stable.yaml'), `web:${VERSION}`);
    }
    // No commit but ramp's after the seed, and none twice (the trailers are unique per step).
    const all = (await git.raw(['rev-list', '--count', 'main'])).trim();
    assert.equal(Number(all), commits.length + 1, `${p.pipeline}: ${all} commits on main for ${commits.length} ramp commits and the seed`);
  }
});

test("each remote's audit trail is intact and records every decision taken through the servers exactly once", async () => {
  for (const [i, p] of promotions.entries()) {
    const text = await simpleGit(p.remote.bareDir).show([`${AUDIT_BRANCH}:${AUDIT_FILE}`]);
    const verification = verifyTrail(text);
    assert.ok(verification.intact, `${p.pipeline}: ${JSON.stringify(verification)}`);
    const records: AuditRecord[] = readTrail(text);
    const ids = records.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `${p.pipeline}: a record twice in ${AUDIT_BRANCH}`);
    // The decisions of the two service tokens (what the test did through the servers), each once,
    // by the workflow that took it; two workflows' records interleave as their appends land.
    const decided = records
      .filter((r) => ['deployer', 'approver'].includes(r.actor?.name ?? ''))
      .map((r) => `${r.workflowId === p.id ? 'promotion' : 'stage'} ${r.bound.stage ?? '-'}: ${r.kind} by ${r.actor?.name}`)
      .sort();
    const expected =
      i === ABORTED
        ? [
            'promotion preview: promote-requested by deployer',
            'stage staging: resumed by approver',
            'stage production: approved by approver',
            // The promotion takes the abort, its stage records it too, and rolls back.
            'promotion production: abort-requested by approver',
            'stage production: abort-requested by approver',
            'stage production: rollback-started by approver',
          ]
        : [
            'promotion preview: promote-requested by deployer',
            'stage staging: resumed by approver',
            'stage production: approved by approver',
            'stage production: resumed by approver',
          ];
    assert.deepEqual(
      decided,
      expected.sort(),
      `${p.pipeline}: the decisions in ${AUDIT_BRANCH}:\n${records.map((r) => `${r.workflowId} ${r.kind} ${r.actor?.name ?? '-'} ${r.bound.stage ?? '-'}`).join('\n')}`,
    );
  }
});
