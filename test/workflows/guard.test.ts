/**
 * The history guard's state machine (fake of ramp's own activities; the real repository:
 * test/e2e/force-push.test.ts): a commit ramp pushed and that was force-pushed away before the
 * next check is still caught; one alert per rewrite; writes stay blocked across continue-as-new
 * until an acknowledgement with a reason, which is recorded and resets the baseline; a check
 * that cannot read the repository is recorded without blocking.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { guardWorkflowId, type HistoryCheckRequest } from '../../src/domain/guard.js';
import { acknowledgeUpdate, guardStatusQuery, rememberSignal, type GuardInput, type GuardStatus } from '../../workflows/guard-messages.js';
import type { guardWorkflow } from '../../workflows/guard.js';
import { recordWorkflows } from '../replay/record.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp } from '../support/fake-activities.js';
import { uniqueName } from '../support/pipelines.js';
import { refusalOf, waitFor } from '../support/wait.js';

const TIP = 'a'.repeat(40);
const PUSHED = 'b'.repeat(40);
const AUDIT = 'c'.repeat(40);

describe('history guard (fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  test('a push force-pushed away between two checks: alert once, blocked across continue-as-new, acknowledged with a reason', async () => {
    const fake = fakeRamp();
    const gone = new Set<string>();
    let failing: string | null = null;
    fake.history.check = (request: HistoryCheckRequest) => {
      if (failing) throw new Error(failing);
      return {
        tips: request.branches.map((b) => ({ branch: b.branch, tip: b.branch === 'main' ? TIP : AUDIT })),
        missing: request.branches.flatMap((b) => b.shas.filter((sha) => gone.has(sha)).map((sha) => ({ branch: b.branch, sha }))),
      };
    };
    const url = `file:///nonexistent/${uniqueName('guard')}.git`;
    const input: GuardInput = { repository: { url, branch: 'main', secretRef: null }, intervalMs: 100, checksPerRun: 4 };
    const id = guardWorkflowId(input.repository);
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof guardWorkflow>('guardWorkflow', { taskQueue, workflowId: id, args: [input] });
      const status = (done: (s: GuardStatus) => boolean, what: string) => waitFor(() => handle.query(guardStatusQuery), done, what, 60_000);
      try {
        const ok = await status((s) => s.phase === 'Ok', 'the first check');
        assert.deepEqual(
          ok.branches.map((b) => [b.branch, b.tip]),
          [
            ['main', TIP],
            ['ramp/audit', AUDIT],
          ],
        );

        // ramp pushes PUSHED; someone force-pushes it away before the guard's next check.
        gone.add(PUSHED);
        await handle.signal(rememberSignal, { branch: 'main', sha: PUSHED, pipeline: 'web', promotion: 'web@1.2.0' });
        const rewritten = await status((s) => s.rewritten !== null, 'the rewrite');
        assert.equal(rewritten.phase, 'Rewritten');
        assert.deepEqual(rewritten.rewritten!.missing, [{ branch: 'main', sha: PUSHED, seenAs: 'pushed' }]);
        const alerts = () => fake.notifications.filter((n) => n.kind === 'history-rewritten');
        assert.equal(alerts().length, 1);
        assert.equal(alerts()[0]!.promotionId, 'web@1.2.0', "through the routes of the pipeline's promotion that pushed");
        assert.match(alerts()[0]!.message, /bbbbbbbbbbbb \(main, pushed by ramp\).*ramp guard ack web --reason/);

        // Still blocked after more checks and a continue-as-new; alerted once.
        const later = await status((s) => s.checks >= rewritten.checks + 5 && s.events.some((e) => e.kind === 'continued-as-new'), 'checks across a new run');
        assert.notEqual(later.rewritten, null);
        assert.equal(later.events.filter((e) => e.kind === 'history-rewritten').length, 1);
        assert.equal(alerts().length, 1);

        assert.match(await refusalOf(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'alice', reason: '' }] })), /needs a reason/);
        const ack = await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'alice', reason: 'a bad push, reverted by force' }] });
        assert.match(ack.message, /acknowledged: ramp writes to file:\/\/\/nonexistent\/.* again \(from main at aaaaaaaaaaaa, ramp\/audit at cccccccccccc\)/);
        const cleared = await handle.query(guardStatusQuery);
        assert.equal(cleared.rewritten, null);
        assert.deepEqual(cleared.branches.find((b) => b.branch === 'main')!.pushed, [], 'the acknowledged commit is no longer watched');
        const recorded = cleared.events.find((e) => e.kind === 'history-ack')!;
        assert.equal(recorded.actor, 'alice');
        assert.equal(recorded.reason, 'a bad push, reverted by force');
        assert.deepEqual(recorded.missing, [{ branch: 'main', sha: PUSHED, seenAs: 'pushed' }]);
        assert.ok(cleared.events.some((e) => e.kind === 'refused' && e.actor === 'alice'));
        assert.match(await refusalOf(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'alice', reason: 'again' }] })), /nothing to acknowledge/);
        await status((s) => s.phase === 'Ok' && s.checks >= cleared.checks + 2, 'ok on the next checks');

        // A check that cannot read the repository: recorded, not blocking.
        failing = 'cannot fetch from file:///nonexistent: no such repository';
        const broken = await status((s) => s.phase === 'CheckFailed', 'a failed check');
        assert.equal(broken.rewritten, null);
        assert.equal(broken.events.filter((e) => e.kind === 'check-failed').length, 1);
        failing = null;
        await status((s) => s.phase === 'Ok', 'ok again');
      } finally {
        await handle.terminate('test over');
      }
      await recordWorkflows(env, 'history-guard', id);
    });
  });
});
