/**
 * The `ramp` commands in-process against the real dev server, with a test worker running the
 * real workflows over the fake activities (test/support/fake-activities.ts). Real Git end to
 * end: test/integration/.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { HistoryEntry, HistoryQuery } from '../../src/domain/changes.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { fakeRamp } from '../support/fake-activities.js';
import { uniqueName } from '../support/pipelines.js';
import { waitFor } from '../support/wait.js';
import { ramp, startCliStack, type CliStack, type RampRun } from './helpers.js';

const groups = { 'release-managers': ['carol', 'dave'] };

const historyEntries: HistoryEntry[] = [
  {
    sha: 'ffeeddccbbaa99887766554433221100ffeeddcc',
    committedAt: '2026-11-21T09:00:50Z',
    subject: 's',
    promotion: 'shop@1.4.2',
    stage: 'production',
    step: '1/rollback',
    version: '1.4.2',
    approvedBy: [],
    requestedBy: null,
    rollback: { of: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', reason: 'aborted by rm: error budget burning' },
  },
  {
    sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    committedAt: '2026-11-21T09:00:21Z',
    subject: 's',
    promotion: 'shop@1.4.2',
    stage: 'production',
    step: '1/0/canary/20',
    version: '1.4.2',
    approvedBy: ['carol'],
    requestedBy: null,
    rollback: null,
  },
];

describe('ramp commands (dev server, fake activities)', () => {
  let stack: CliStack;
  const historyQueries: HistoryQuery[] = [];

  before(async () => {
    const fake = fakeRamp(groups);
    // What Git's history says production's stable image was: a rollback goes only there.
    fake.fieldHistory = ['web:1.0.0', 'web:0.9.0'];
    stack = await startCliStack(
      {
        ...fake.activities,
        // eslint-disable-next-line @typescript-eslint/require-await
        async readHistory(query: HistoryQuery) {
          historyQueries.push(query);
          return historyEntries.slice(0, query.limit);
        },
      },
      { updateTimeoutMs: 5000 },
    );
  });
  after(() => stack?.stop());

  /** A new pipeline file in the pipelines directory; returns its name. */
  const newPipeline = (prefix: string): Promise<string> => stack.pipeline(prefix);

  const run = (args: string[], extra: Record<string, string> = {}) => ramp(args, { ...stack.vars, ...extra }, stack.dir);
  const json = <T>(r: RampRun): T => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  };
  const snapshot = async (id: string) => json<{ promotion: PromotionStatus; activeStage: StageStatus | null }>(await run(['status', id, '--json']));
  const waitStage = (id: string, done: (s: StageStatus) => boolean, what: string) =>
    waitFor(
      async () => (await snapshot(id)).activeStage,
      (s) => s !== null && done(s),
      what,
    );
  const notStarted = async (id: string) => {
    await assert.rejects(stack.env.client.workflow.getHandle(id).describe(), WorkflowNotFoundError, `${id} must not exist`);
  };

  test('promote --wait follows to Succeeded through a refused approval, an approval and a resume', async () => {
    const name = await newPipeline('shop');
    const id = `${name}@1.1.0`;
    const waiting = run(['promote', name, '1.1.0', '--wait']);

    await waitStage(id, (s) => s.phase === 'AwaitingApproval', 'the production approval gate');
    const human = await run(['status', id]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^Promotion: {4}${id}$`, 'm'));
    assert.match(human.stdout, /^Phase: {8}◌ Running$/m);
    assert.match(human.stdout, /^ {2}✔ preview {5}Promoted {10}attempt 1$/m);
    assert.match(human.stdout, /^ {2}‖ production {2}AwaitingApproval {2}attempt 1 {2}\(active\)$/m);
    assert.match(human.stdout, /^ {6}Approvals: {4}gate: Pending, 0\/1 from alice, carol, dave$/m);
    assert.match(
      human.stdout,
      new RegExp(
        `^Waiting: {6}stage production is waiting for 1 approval\\(s\\) from alice, carol, dave\nTo approve: {3}ramp approve ${id} --stage production --as USER\nTo reject: {4}ramp reject ${id} --stage production --as USER --reason "\\.\\.\\."$`,
        'm',
      ),
    );
    assert.match(human.stdout, /^ {20}· 2\. pause$/m);
    const { promotion, activeStage } = await snapshot(id);
    assert.equal(promotion.phase, 'Running');
    assert.deepEqual(promotion.activeStage, { name: 'production', workflowId: `${name}/production` });
    assert.equal(activeStage?.phase, 'AwaitingApproval');

    const again = await run(['promote', name, '1.1.0']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`promotion ${id} is already running .*see ramp status ${id}`));

    const refused = await run(['approve', id, '--stage', 'production', '--as', 'mallory']);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      'ramp approve: mallory (unverified) is not an approver of the gate approval of production: its approvers are alice, group:release-managers (mallory is in no group). Ask one of them to approve\n',
    );
    const wrongStage = await run(['approve', id, '--stage', 'preview', '--as', 'carol']);
    assert.equal(wrongStage.code, 1);
    assert.match(wrongStage.stderr, new RegExp(`promotion ${id} is at stage production, not preview`));
    const noSuchStage = await run(['approve', id, '--stage', 'prod', '--as', 'carol']);
    assert.match(noSuchStage.stderr, /has no stage prod; its stages: preview, production/);
    const anonymous = await run(['approve', id, '--stage', 'production']);
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /--as is required/);

    const approved = await run(['approve', id, '--stage', 'production', '--as', 'carol', '--comment', 'ship it']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, 'carol approved the gate approval (1/1): ship it\n');

    await waitStage(id, (s) => s.phase === 'Paused' && s.pauseReason === 'CanaryPauseStep', 'the indefinite pause');
    const resumed = await run(['resume', id]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, 'rm resumed the stage\n');

    const done = await waiting;
    assert.equal(done.code, 0, done.stderr);
    const lines = done.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `started ${id}: promotion preview → production`);
    assert.equal(lines.filter((l) => l.startsWith('waiting: stage production is waiting for 1 approval(s)')).length, 1, done.stdout);
    // The pause may be over before a poll sees it; when seen, it is announced once.
    assert.ok(lines.filter((l) => l === `waiting: stage production is paused at step 2 until resumed. To resume: ramp resume ${id}`).length <= 1, done.stdout);
    assert.ok(
      lines.some((l) => /^\d\d:\d\d:\d\d {2}production {2}approve-refused \(mallory\): mallory \(unverified\) is not an approver/.test(l)),
      done.stdout,
    );
    assert.ok(
      lines.some((l) => /^\d\d:\d\d:\d\d {2}production {2}resumed \(rm\): rm resumed the stage$/.test(l)),
      done.stdout,
    );
    assert.equal(lines.at(-1), `promotion ${id} Succeeded: 1.1.0 is stable in preview, production`);

    const finished = await run(['status', id]);
    assert.match(finished.stdout, /^Phase: {8}✔ Succeeded$/m);
    assert.match(finished.stdout, /^ {2}✔ production {2}Promoted {2}attempt 1$/m);
    assert.match(finished.stdout, /✖ mallory tried to approve, refused: mallory \(unverified\) is not an approver/);
    assert.match(finished.stdout, /✔ carol approved: ship it/);

    // Visibility is eventually consistent: the finished promotion shows up in a moment.
    await waitFor(
      async () => json<{ id: string; phase: string }[]>(await run(['list', '--all', '--json'])),
      (rows) => rows.some((r) => r.id === id && r.phase === 'Succeeded'),
      'the promotion in ramp list --all',
    );
    const pause = await run(['pause', id]);
    assert.equal(pause.code, 1);
    assert.match(pause.stderr, new RegExp(`promotion ${id} has no active stage \\(phase Succeeded: .*\\); there is nothing to pause`));
  });

  test('abort: a reason is required; the stage rolls back; status --watch shows it to the end', async () => {
    const name = await newPipeline('cart');
    const id = `${name}@2.0.0`;
    const started = await run(['promote', name, '2.0.0']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`^started ${id}: promotion preview → production\n  watch it:  ramp status ${id} --watch\n`));
    await waitStage(id, (s) => s.phase === 'AwaitingApproval', 'the approval gate');
    assert.equal((await run(['approve', id, '--stage', 'production', '--as', 'alice'])).code, 0);
    await waitStage(id, (s) => s.phase === 'Paused', 'the pause');

    const noReason = await run(['abort', id]);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason is required/);
    const aborted = await run(['abort', id, '--reason', 'error budget burning']);
    assert.equal(aborted.code, 0, aborted.stderr);
    assert.equal(aborted.stdout, 'aborting stage production: it rolls back, then the promotion ends\n');

    const watched = await run(['status', id, '--watch']);
    assert.equal(watched.code, 0, watched.stderr);
    const last = watched.stdout.slice(watched.stdout.lastIndexOf('Promotion:'));
    assert.match(last, /^Phase: {8}✖ Aborted$/m);
    assert.match(last, /^ {2}✖ production {2}RolledBack {2}attempt 1$/m);
    assert.match(last, /^ {6}Reverts: {6}[0-9a-f]{7} {2}reverts [0-9a-f]{7}$/m);
    assert.match(last, /^ {6}Failure: {6}Aborted: aborted by rm: error budget burning$/m);

    const retry = await run(['retry', id]);
    assert.equal(retry.code, 1);
    assert.match(retry.stderr, new RegExp(`promotion ${id} has already finished \\(Aborted: .*error budget burning`));
  });

  test('nothing starts for an invalid pipeline, a bad version, an unknown pipeline or stage', async () => {
    const name = uniqueName('broken');
    await writeFile(join(stack.dir, `${name}.yaml`), `apiVersion: ramp/v1\nkind: Pipeline\nmetadata:\n  name: ${name}\nspec:\n  stages: []\n`);
    const invalid = await run(['promote', name, '1.0.0']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, new RegExp(`^${name}\\.yaml:5:1  spec\\.repository  error: missing required field "repository"`, 'm'));
    assert.match(invalid.stderr, new RegExp(`ramp promote: pipeline ${name}\\.yaml is invalid, so nothing was started`));
    await notStarted(`${name}@1.0.0`);

    const good = await newPipeline('web');
    const badVersion = await run(['promote', good, '1.0.0+build.1']);
    assert.equal(badVersion.code, 1);
    assert.match(badVersion.stderr, /"1\.0\.0\+build\.1" is not a valid version: .*Nothing was started/);
    await notStarted(`${good}@1.0.0+build.1`);

    const unknown = await run(['promote', 'no-such-pipeline', '1.0.0']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no pipeline named no-such-pipeline: looked for .*no-such-pipeline\.yaml and .*no-such-pipeline\.yml/);

    const badStage = await run(['rollback', good, '--stage', 'staging', '--to', '1.0.0']);
    assert.equal(badStage.code, 1);
    assert.match(badStage.stderr, new RegExp(`pipeline ${good} has no stage staging; its stages: preview, production`));
    await notStarted(`${good}@1.0.0:rollback:staging`);

    const missing = await run(['status', 'nope@1.0.0']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'ramp status: no promotion nope@1.0.0; see ramp list\n');
  });

  test('rollback --wait puts an earlier version straight back in one stage', async () => {
    const name = await newPipeline('api');
    const r = await run(['rollback', name, '--stage', 'production', '--to', '0.9.0', '--reason', 'error budget burnt', '--wait', '--as', 'oncall']);
    assert.equal(r.code, 0, r.stderr);
    const id = `${name}@0.9.0:rollback:production`;
    assert.match(r.stdout, new RegExp(`^started ${id}: rollback of production to 0\\.9\\.0$`, 'm'));
    assert.match(r.stdout, new RegExp(`promotion ${id} Succeeded: 0\\.9\\.0 is stable in production\n$`));
    const { promotion } = await snapshot(id);
    assert.equal(promotion.kind, 'rollback');
    assert.equal(promotion.requestedBy, 'oncall');
    assert.match(promotion.events[0]!.message, /oncall asked to rollback .* 0\.9\.0: error budget burnt$/, 'the reason is on the record');
    assert.deepEqual(
      promotion.stages.map((s) => s.name),
      ['production'],
    );
  });

  test('rollback to a version that was never live in the stage is refused and recorded; nothing is written', async () => {
    const name = await newPipeline('api');
    const r = await run(['rollback', name, '--stage', 'production', '--to', '9.9.9', '--wait', '--as', 'oncall']);
    assert.equal(r.code, 1, r.stdout);
    const id = `${name}@9.9.9:rollback:production`;
    assert.match(
      r.stdout,
      new RegExp(
        `promotion ${id} Aborted: nothing was changed: 9\\.9\\.9 was never live in production: .*it held web:1\\.0\\.0, web:0\\.9\\.0.*ramp promote ${name} 9\\.9\\.9`,
      ),
    );
    const { promotion } = await snapshot(id);
    assert.ok(
      promotion.events.some((e) => e.kind === 'rollback-refused' && e.actor === 'oncall'),
      'the refusal is on the record',
    );
    assert.deepEqual(
      promotion.stages.map((s) => s.phase),
      ['Pending'],
      'no stage ran: the approval gate was not bypassed',
    );
  });

  test('history: the worker reads the repository; the CLI prints a table or JSON', async () => {
    const name = await newPipeline('hist');
    const table = await run(['history', name, '--stage', 'production', '--limit', '5']);
    assert.equal(table.code, 0, table.stderr);
    const [header, first] = table.stdout.split('\n');
    assert.match(header!, /^WHEN +STAGE +VERSION +PROMOTION +STEP +COMMIT +APPROVED BY +BY +NOTE$/);
    assert.match(first!, /production +1\.4\.2 +shop@1\.4\.2 +1\/rollback +ffeeddc +- +- +rollback of a1b2c3d: aborted by rm: error budget burning$/);
    const query = historyQueries.at(-1)!;
    assert.deepEqual([query.repository.url, query.stage, query.limit], ['file:///nonexistent/gitops.git', 'production', 5]);

    const asJson = json<HistoryEntry[]>(await run(['history', name, '--json', '--limit', '1']));
    assert.deepEqual(asJson, historyEntries.slice(0, 1));
    const unknownStage = await run(['history', name, '--stage', 'qa']);
    assert.equal(unknownStage.code, 1);
    assert.match(unknownStage.stderr, /has no stage qa/);
  });

  test('without a worker, or without a server, the error says what to start', async () => {
    const name = await newPipeline('lonely');
    const queue = `nobody-${randomUUID()}`;
    const id = `${name}@1.0.0`;
    const started = await run(['promote', name, '1.0.0', '--task-queue', queue]);
    assert.equal(started.code, 0, started.stderr);
    try {
      const abort = await run(['abort', id, '--reason', 'test'], { RAMP_UPDATE_TIMEOUT_MS: '1000' });
      assert.equal(abort.code, 1, abort.stderr);
      assert.equal(abort.stderr, `ramp abort: no worker answered on task queue ${queue} within 1 s; start one with \`ramp worker\`\n`);
      const status = await run(['status', id], { RAMP_UPDATE_TIMEOUT_MS: '1000' });
      assert.equal(status.code, 1, status.stderr);
      assert.match(status.stderr, /no worker answered on task queue nobody-/);
      const history = await run(['history', name, '--task-queue', queue]);
      assert.equal(history.code, 1);
      assert.equal(history.stderr, `ramp history: no worker polls task queue ${queue}; start one with \`ramp worker\`\n`);
    } finally {
      await stack.env.client.workflow.getHandle(id).terminate('test cleanup');
    }

    const offline = await run(['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1', RAMP_CONNECT_TIMEOUT_MS: '300' });
    assert.equal(offline.code, 1);
    assert.match(
      offline.stderr,
      /^ramp list: cannot connect to Temporal at 127\.0\.0\.1:1 \(without TLS, namespace default\): nothing listens on 127\.0\.0\.1:1 \(connection refused\)\. To fix: start Temporal there .*set TEMPORAL_ADDRESS/,
    );
  });
});
