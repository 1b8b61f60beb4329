/**
 * The organisation-wide freeze workflow on the real dev server, with the worker's own identity
 * and freeze activities (no decision keys: commands are local-unverified names, whose groups
 * come from the groups file): declare, lift, a timed freeze ending by itself, a non-member's
 * refusal on the record, and the record kept across continue-as-new. Each test runs its own
 * freeze workflow (its own id): the namespace's `ramp-freeze` is left to the e2e test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createFreezeActivities, createFreezeReader } from '../../activities/freeze.js';
import { createIdentityActivities } from '../../activities/identity.js';
import { declareFreezeUpdate, freezeRecordQuery, freezeStateQuery, liftFreezeUpdate, type FreezeInput } from '../../workflows/freeze-messages.js';
import type { freezeWorkflow } from '../../workflows/freeze.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { recordWorkflows } from '../replay/record.js';
import { refusalOf, waitFor } from '../support/wait.js';

describe('the freeze workflow', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let worker: Worker;
  let running: Promise<void>;
  let taskQueue: string;

  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(join(tmpdir(), 'ramp-freeze-'));
    const groupsFile = join(dir, 'groups.yaml');
    await writeFile(groupsFile, 'groups:\n  sre-oncall: [olivia]\n  release-managers: [rita]\n');
    const created = await createTestWorker(env, {
      activities: {
        ...createIdentityActivities({ decisionKeysFile: undefined }),
        ...createFreezeActivities({ freezeGroups: ['sre-oncall', 'release-managers'], groupsFile }),
      },
    });
    worker = created.worker;
    taskQueue = created.taskQueue;
    running = worker.run();
  });
  after(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await rm(dir, { recursive: true, force: true });
  });

  async function start(input: FreezeInput = {}): Promise<WorkflowHandle<typeof freezeWorkflow>> {
    return env.client.workflow.start<typeof freezeWorkflow>('freezeWorkflow', { taskQueue, workflowId: `test-freeze-${randomUUID()}`, args: [input] });
  }

  test('a member declares a freeze with a reason, everyone reads it, another member lifts it; both on the record', async () => {
    const freeze = await start();
    const reader = createFreezeReader(env.client, () => freeze.workflowId);
    assert.equal(await reader.readFreeze(), null);

    const declared = await freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'olivia', reason: 'incident INC-42' }] });
    assert.match(declared.message, /frozen by olivia \(unverified\) \(cli\) since .*, until lifted: incident INC-42/);
    const state = await reader.readFreeze();
    assert.equal(state?.declaredBy.name, 'olivia');
    assert.equal(state?.declaredBy.method, 'local-unverified');
    assert.equal(state?.reason, 'incident INC-42');
    assert.equal(state?.until, null);
    assert.equal(state?.channel, 'cli');

    assert.match(await refusalOf(freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'rita', reason: 'again' }] })), /a freeze is already in force/);
    assert.match(await refusalOf(freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'rita', reason: '  ' }] })), /give a reason/);

    const lifted = await freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'rita', reason: 'INC-42 resolved' }] });
    assert.equal(lifted.state, null);
    assert.match(lifted.message, /the freeze is lifted \(it was declared by olivia \(unverified\)/);
    assert.equal(await reader.readFreeze(), null);
    const record = await freeze.query(freezeRecordQuery);
    assert.deepEqual(
      record.events.map((e) => [e.kind, e.actor]),
      [
        ['declared', 'olivia'],
        ['lifted', 'rita'],
      ],
    );
    assert.match(record.events[1]!.message, /lifted by rita \(unverified\) \(cli\): INC-42 resolved/);
    assert.match(await refusalOf(freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'rita', reason: 'twice' }] })), /nothing is frozen/);
  });

  test('two declarations at once: one freezes, the other is refused, and the workflow goes on', async () => {
    const freeze = await start();
    const outcomes = await Promise.allSettled(
      ['olivia', 'rita'].map((actor) => freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor, reason: `by ${actor}` }] })),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, JSON.stringify(outcomes));
    const failed = outcomes.find((o) => o.status === 'rejected');
    assert.match(String((failed?.reason as { cause?: Error }).cause?.message), /a freeze is already in force/);
    const lifted = await freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'rita', reason: 'done' }] });
    assert.equal(lifted.state, null);
  });

  test('someone outside RAMP_FREEZE_GROUPS is refused, and the refusal is recorded', async () => {
    const freeze = await start();
    const why = await refusalOf(freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'mallory', reason: 'because' }] }));
    assert.match(why, /mallory \(unverified\) may not declare a freeze: only members of group:sre-oncall, group:release-managers may/);
    assert.equal(await freeze.query(freezeStateQuery), null);
    const record = await freeze.query(freezeRecordQuery);
    assert.equal(record.events.length, 1);
    assert.equal(record.events[0]!.kind, 'refused');
    assert.equal(record.events[0]!.actor, 'mallory');
    assert.match(record.events[0]!.message, /declare by mallory \(unverified\) refused/);
  });

  test('a timed freeze ends by itself at its `until`, recorded as expired', async () => {
    const freeze = await start();
    const until = new Date(Date.now() + 3_000).toISOString();
    const declared = await freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'olivia', reason: 'release party', until }] });
    assert.equal(declared.state?.until, until);
    const record = await waitFor(
      () => freeze.query(freezeRecordQuery),
      (r) => r.events.some((e) => e.kind === 'expired'),
      'the timed freeze to expire',
      60_000,
    );
    assert.equal(record.state, null);
    assert.match(record.events.at(-1)!.message, new RegExp(`ended at ${until.replace(/[.]/g, '\\.')} as declared: release party`));
    assert.equal(await createFreezeReader(env.client, () => freeze.workflowId).readFreeze(), null);
    // With RAMP_RECORD_HISTORIES=1: the replay shape of a timed freeze (declare, timer, expired).
    await recordWorkflows(env, 'freeze-timed', freeze.workflowId);
  });

  test('the freeze and its record survive continue-as-new', async () => {
    const freeze = await start({ decisionsPerRun: 2 });
    const firstRun = (await freeze.describe()).runId;
    await freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'olivia', reason: 'one' }] });
    await freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'olivia', reason: 'two' }] });
    await waitFor(
      () => freeze.describe(),
      (d) => d.runId !== firstRun,
      'the freeze to continue as new',
      60_000,
    );
    assert.match(await refusalOf(freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'mallory', reason: 'four' }] })), /nothing is frozen/);
    await freeze.executeUpdate(declareFreezeUpdate, { args: [{ actor: 'rita', reason: 'three' }] });
    assert.match(
      await refusalOf(freeze.executeUpdate(liftFreezeUpdate, { args: [{ actor: 'mallory', reason: 'five' }] })),
      /mallory \(unverified\) may not lift/,
    );
    const record = await freeze.query(freezeRecordQuery);
    assert.equal(record.state?.declaredBy.name, 'rita');
    assert.deepEqual(
      record.events.map((e) => e.kind),
      ['declared', 'lifted', 'continued-as-new', 'declared', 'refused'],
    );
    // With RAMP_RECORD_HISTORIES=1: the replay shape of declare, lift, continue-as-new, declare, a refusal.
    await recordWorkflows(env, 'freeze-continue-as-new', freeze.workflowId);
  });
});
