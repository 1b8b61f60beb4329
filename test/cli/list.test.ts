/**
 * `ramp list` reads Temporal's visibility: the phase and whom a promotion waits for come from the
 * search attributes the workflows upsert, so it answers with no worker running; a promotion id
 * started again is one row (its latest run), which `ramp status` opens.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { latestRuns, promotionsQuery, visiblePhase } from '../../cli/commands/list.js';
import type { PromotionRow } from '../../cli/render/list.js';
import { stageStatusQuery, stageWorkflowId, type PromotionStatus } from '../../workflows/messages.js';
import { RampPhase, RampStage } from '../../workflows/search-attributes.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { uniqueName } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { pipelineYaml, ramp, type RampRun } from './helpers.js';

describe('ramp list: pure parts', () => {
  const run = (workflowId: string, second: number, status: string) => ({
    workflowId,
    startTime: new Date(Date.UTC(2026, 10, 21, 9, 0, second)),
    status: { name: status },
  });

  test('latestRuns keeps one execution per id, the newest, and never a continued-as-new chapter', () => {
    const rows = latestRuns([
      run('web@1.2.0', 5, 'RUNNING'),
      run('web@1.2.0', 1, 'FAILED'), // an earlier run of the same id
      run('web@1.1.0', 3, 'CONTINUED_AS_NEW'),
      run('web@1.1.0', 3, 'COMPLETED'), // its successor, started the same second
      run('web@1.0.0', 0, 'CONTINUED_AS_NEW'), // the successor is not visible yet
    ]);
    assert.deepEqual(
      rows.map((r) => [r.workflowId, r.status.name]),
      [
        ['web@1.2.0', 'RUNNING'],
        ['web@1.1.0', 'COMPLETED'],
      ],
    );
  });

  const table: [string, Parameters<typeof visiblePhase>, ReturnType<typeof visiblePhase>][] = [
    ['no attributes (started before ramp set them)', [{ phase: undefined, stage: undefined, waitingFor: undefined }, undefined], null],
    [
      'a stage waiting for approvers speaks for a running promotion',
      [
        { phase: 'Running', stage: 'production', waitingFor: undefined },
        { stage: 'production', phase: 'AwaitingApproval', waitingFor: ['alice', 'carol'] },
      ],
      { phase: 'AwaitingApproval', stage: 'production', waitingFor: ['alice', 'carol'] },
    ],
    [
      'a progressing stage says no more than Running',
      [
        { phase: 'Running', stage: 'staging', waitingFor: undefined },
        { stage: 'staging', phase: 'Progressing', waitingFor: [] },
      ],
      { phase: 'Running', stage: 'staging', waitingFor: [] },
    ],
    [
      'a rollback in progress is shown',
      [
        { phase: 'Running', stage: 'staging', waitingFor: undefined },
        { stage: 'staging', phase: 'RollingBack', waitingFor: [] },
      ],
      { phase: 'RollingBack', stage: 'staging', waitingFor: [] },
    ],
    [
      "the promotion's own wait wins over a stage",
      [{ phase: 'WaitingForEnvironment', stage: 'staging', waitingFor: ['web@1.1.0'] }, undefined],
      { phase: 'WaitingForEnvironment', stage: 'staging', waitingFor: ['web@1.1.0'] },
    ],
    [
      'failed, waiting for retry or abort',
      [
        { phase: 'Failed', stage: 'staging', waitingFor: ['operator'] },
        { stage: 'staging', phase: 'Paused', waitingFor: ['operator'] },
      ],
      { phase: 'Failed', stage: 'staging', waitingFor: ['operator'] },
    ],
  ];
  for (const [name, args, expected] of table) test(`visiblePhase: ${name}`, () => assert.deepEqual(visiblePhase(...args), expected));

  test('promotionsQuery', () => {
    assert.equal(promotionsQuery({ all: false }), 'WorkflowType = "promotionWorkflow" AND ExecutionStatus = "Running"');
    assert.equal(promotionsQuery({ all: true, pipeline: 'web' }), 'WorkflowType = "promotionWorkflow" AND RampPipeline = "web"');
    assert.equal(
      promotionsQuery({ all: true, phase: 'aborted' }),
      'WorkflowType = "promotionWorkflow" AND RampPhase = "Aborted"',
      "the promotion's own phase: the server filters",
    );
    assert.equal(
      promotionsQuery({ all: false, phase: 'AwaitingApproval' }),
      'WorkflowType = "promotionWorkflow" AND ExecutionStatus = "Running"',
      "a stage's phase: ramp list filters",
    );
  });
});

describe('ramp list (dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  const started: string[] = [];

  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(join(tmpdir(), 'ramp-list-'));
  });

  after(async () => {
    for (const id of started)
      await env?.client.workflow
        .getHandle(id)
        .terminate('test cleanup')
        .catch(() => undefined);
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function setup(prefix: string) {
    const name = uniqueName(prefix);
    await writeFile(join(dir, `${name}.yaml`), pipelineYaml(name));
    const { worker, taskQueue } = await createTestWorker(env, { activities: fakeRamp({ 'release-managers': ['carol', 'dave'] }).activities });
    const running = worker.run();
    const vars = { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_PIPELINES_DIR: dir, RAMP_USER: 'rm', RAMP_UPDATE_TIMEOUT_MS: '5000' };
    const run = (args: string[]) => ramp(args, vars, dir);
    const stop = async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    };
    return { name, run, stop };
  }

  const rowsOf = (r: RampRun): PromotionRow[] => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as PromotionRow[];
  };
  const awaitingApproval = (name: string) =>
    waitFor(
      () => env.client.workflow.getHandle(stageWorkflowId(name, 'production')).describe(),
      (d) => d.typedSearchAttributes.get(RampPhase) === 'AwaitingApproval',
      'the production stage to show AwaitingApproval',
      60_000,
    );

  test('a promotion at an approval gate shows AwaitingApproval and its approvers, with no worker running', async () => {
    const { name, run, stop } = await setup('gate');
    const id = `${name}@1.0.0`;
    try {
      assert.equal((await run(['promote', name, '1.0.0'])).code, 0);
      started.push(id);
      // Evidence that the stage reached the gate (and upserted it) before the worker goes away.
      await awaitingApproval(name);
      assert.equal((await env.client.workflow.getHandle(stageWorkflowId(name, 'production')).query(stageStatusQuery)).phase, 'AwaitingApproval');
    } finally {
      await stop();
    }

    const row = await waitFor(
      async () => rowsOf(await run(['list', '--json'])).find((r) => r.id === id),
      (r) => r?.phase === 'AwaitingApproval',
      `${id} AwaitingApproval in ramp list`,
      60_000,
    );
    assert.deepEqual(
      { stage: row!.stage, waitingFor: row!.waitingFor, closedAt: row!.closedAt },
      { stage: 'production', waitingFor: ['alice', 'carol', 'dave'], closedAt: null },
    );

    const human = await run(['list', '--pipeline', name]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^PROMOTION +PHASE +STAGE +WAITING FOR +STARTED$/m);
    assert.match(human.stdout, new RegExp(`^${id} +AwaitingApproval +production +alice, carol, dave +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`, 'm'));
    assert.deepEqual(
      rowsOf(await run(['list', '--json', '--phase', 'awaitingapproval', '--pipeline', name])).map((r) => r.id),
      [id],
    );
    assert.deepEqual(rowsOf(await run(['list', '--json', '--phase', 'Paused', '--pipeline', name])), []);
    assert.equal((await run(['list', '--phase', 'Paused', '--pipeline', name])).stdout, 'no promotions match\n');
    const badPipeline = await run(['list', '--pipeline', 'x" OR WorkflowType = "y']);
    assert.equal(badPipeline.code, 2);
    assert.match(badPipeline.stderr, /--pipeline must be a pipeline name/);
  });

  test('an aborted promotion fails in Temporal; started again, list --all shows its id once, and status opens it', async () => {
    const { name, run, stop } = await setup('again');
    const id = `${name}@1.0.0`;
    try {
      assert.equal((await run(['promote', name, '1.0.0'])).code, 0);
      started.push(id);
      await awaitingApproval(name);
      const first = await env.client.workflow.getHandle(id).describe();
      assert.equal((await run(['abort', id, '--reason', 'wrong build'])).code, 0);
      await env.client.workflow
        .getHandle(id, first.runId)
        .result()
        .catch(() => undefined);
      const ended = await env.client.workflow.getHandle(id, first.runId).describe();
      assert.equal(ended.status.name, 'FAILED', 'an aborted promotion must not look like a success in Temporal');
      assert.equal(ended.typedSearchAttributes.get(RampPhase), 'Aborted');
      const status = JSON.parse((await run(['status', id, '--json'])).stdout) as { promotion: PromotionStatus };
      assert.equal(status.promotion.phase, 'Aborted');
      const aborted = await waitFor(
        async () => rowsOf(await run(['list', '--json', '--phase', 'aborted', '--pipeline', name])),
        (rs) => rs.length > 0,
        'the aborted run in ramp list --phase aborted',
        60_000,
      );
      assert.deepEqual(
        aborted.map((r) => [r.id, r.phase, r.stage]),
        [[id, 'Aborted', 'production']],
      );
      assert.match(aborted[0]!.message ?? '', /aborted by rm: wrong build/);

      assert.equal((await run(['promote', name, '1.0.0'])).code, 0, 'the same id, started again');
      await waitFor(
        () => env.client.workflow.getHandle(id).describe(),
        (d) => d.runId !== first.runId && d.typedSearchAttributes.get(RampStage) === 'production',
        'the second run at production',
        60_000,
      );
      await awaitingApproval(name);

      const rows = await waitFor(
        async () => rowsOf(await run(['list', '--all', '--json', '--pipeline', name])),
        (rs) => rs.some((r) => r.id === id && r.phase === 'AwaitingApproval'),
        'the second run in ramp list --all',
        60_000,
      );
      assert.deepEqual(
        rows.map((r) => r.id),
        [id],
        'one row per promotion id',
      );
      assert.deepEqual(rowsOf(await run(['list', '--json', '--phase', 'Aborted', '--pipeline', name])), [], 'its latest run is not aborted');
      for (const row of rows) {
        const opened = await run(['status', row.id, '--json']);
        assert.equal(opened.code, 0, `ramp status ${row.id}: ${opened.stderr}`);
      }
    } finally {
      await stop();
    }
  });
});
