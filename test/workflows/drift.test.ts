/**
 * The drift watch's state machine (fake of ramp's own activities; the real cluster:
 * test/kube/drift.test.ts): report once per new drift, notify, pause while a promotion holds
 * the environment, carry out accept and reject with who and why, refuse what cannot be
 * decided, revert by policy, and keep its record across continue-as-new.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DriftReport } from '../../src/domain/drift.js';
import { generateDecisionKeys, signDecision } from '../../src/identity/decision-signature.js';
import { person } from '../support/actors.js';
import {
  acceptDriftUpdate,
  driftStatusQuery,
  driftWorkflowId,
  rejectDriftUpdate,
  stopDriftSignal,
  type DriftInput,
  type DriftStatus,
} from '../../workflows/drift-messages.js';
import type { driftWorkflow } from '../../workflows/drift.js';
import { stageWorkflowId } from '../../workflows/messages.js';
import { recordWorkflows } from '../replay/record.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { fakeRamp, type FakeRamp } from '../support/fake-activities.js';
import { seedPipeline, uniqueName } from '../support/pipelines.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { DeliveryFact } from '../../src/observability/facts.js';
import type { RampSinks } from '../../workflows/observe.js';
import { refusalOf, waitFor } from '../support/wait.js';

const SHA = 'b'.repeat(40);
const scaled: DriftReport = {
  sha: SHA,
  compared: 3,
  drifts: [
    {
      object: 'Deployment shop/web-stable',
      ref: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-stable', namespace: 'shop' },
      source: 'stable.yaml',
      missing: false,
      fields: [{ path: 'spec.replicas', desired: 2, live: 5 }],
    },
  ],
};
const inSync: DriftReport = { sha: SHA, compared: 3, drifts: [] };

function input(policy: 'alert' | 'revert', extra: Partial<DriftInput> = {}): DriftInput {
  const pipeline = seedPipeline({
    name: uniqueName('dw'),
    stages: { staging: { with: ['sync: { mode: apply }', `drift: { policy: ${policy}, interval: 100ms }`] } },
  });
  return { pipeline: pipeline.name, repository: pipeline.repository, stage: pipeline.stages[0]!, ...extra };
}

describe('drift watch (fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await getTestEnv()));
  after(async () => env?.teardown());

  async function watch(
    fake: FakeRamp,
    args: DriftInput,
    body: (h: WorkflowHandle<typeof driftWorkflow>, status: (done: (s: DriftStatus) => boolean, what: string) => Promise<DriftStatus>) => Promise<void>,
    record?: string,
    sinks?: InjectedSinks<RampSinks>,
  ): Promise<void> {
    const { worker, taskQueue } = await createTestWorker(env, { activities: fake.activities, ...(sinks ? { sinks } : {}) });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof driftWorkflow>('driftWorkflow', {
        taskQueue,
        workflowId: driftWorkflowId(args.pipeline, args.stage.name),
        args: [args],
      });
      try {
        await body(handle, (done, what) => waitFor(() => handle.query(driftStatusQuery), done, what));
      } finally {
        await handle.signal(stopDriftSignal, { actor: 'test' });
        await handle.result();
      }
      if (record) await recordWorkflows(env, record, args.pipeline);
    });
  }

  test('policy alert: one report per new drift, with a notification; reject restores, accept commits, both recorded', async () => {
    const fake = fakeRamp();
    let report = scaled;
    fake.drift.report = () => report;
    fake.drift.onRestore = () => (report = inSync);
    fake.drift.onAccept = () => (report = inSync);
    const facts: DeliveryFact[] = [];
    const sinks: InjectedSinks<RampSinks> = { ramp: { observe: { fn: (_info, fact) => void facts.push(fact) } } };
    await watch(
      fake,
      input('alert'),
      async (handle, status) => {
        const drifted = await status((s) => s.phase === 'Drifted' && s.checks >= 3, 'drift seen on several checks');
        assert.equal(drifted.events.filter((e) => e.kind === 'drift-detected').length, 1, 'reported once, not every interval');
        assert.equal(fake.notifications.filter((n) => n.kind === 'drift-detected').length, 1);
        assert.match(fake.notifications[0]!.message, /spec\.replicas 5 \(Git: 2\)/);
        assert.ok(!fake.driftCalls.some((c) => c.kind === 'restore'), 'policy alert never restores by itself');

        const ack = await handle.executeUpdate(rejectDriftUpdate, { args: [{ actor: 'alice', reason: 'no hand scaling' }] });
        assert.match(ack.message, /restored Git's state of Deployment shop\/web-stable/);
        const clean = await status((s) => s.phase === 'InSync', 'in sync after the reject');
        assert.ok(clean.events.some((e) => e.kind === 'drift-rejected' && e.actor === 'alice' && /no hand scaling/.test(e.message)));
        assert.match(await refusalOf(handle.executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob' }] })), /no drift to accept/);
        assert.ok((await handle.query(driftStatusQuery)).events.some((e) => e.kind === 'refused' && e.actor === 'bob'));

        report = scaled;
        await status((s) => s.phase === 'Drifted', 'the second drift');
        const accepted = await handle.executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob', reason: 'traffic is up' }] });
        assert.match(accepted.message, /committed [0-9a-f]{12} \(envs\/staging\/stable\.yaml\)/);
        const call = fake.driftCalls.find((c) => c.kind === 'accept');
        assert.deepEqual([call?.actor, call?.sha, call?.objects], ['bob', SHA, ['Deployment shop/web-stable']]);
        const done = await status((s) => s.phase === 'InSync', 'in sync after the accept');
        assert.equal(done.events.filter((e) => e.kind === 'drift-detected').length, 2);
        assert.ok(done.events.some((e) => e.kind === 'drift-accepted' && e.actor === 'bob'));
        // The worker's metrics hear of each drift once, like the record.
        assert.deepEqual(
          facts.map((f) => [f.kind, 'stage' in f ? f.stage : null]),
          [
            ['drift-detected', 'staging'],
            ['drift-detected', 'staging'],
          ],
        );
      },
      undefined,
      sinks,
    );
  });

  test('a decision whose write fails is refused to its sender, on the record, and the watch goes on', async () => {
    const fake = fakeRamp();
    fake.drift.report = () => scaled;
    fake.drift.onAccept = () => {
      throw ApplicationFailure.nonRetryable('the push was rejected: protected branch', 'GitPushRejected');
    };
    await watch(fake, input('alert'), async (handle, status) => {
      const drifted = await status((s) => s.phase === 'Drifted', 'drift seen');
      assert.match(await refusalOf(handle.executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob' }] })), /accept failed: .*protected branch/);
      const after = await status((s) => s.checks > drifted.checks + 1, 'the watch checks again after the failed decision');
      assert.ok(after.events.some((e) => e.kind === 'refused' && e.actor === 'bob' && /protected branch/.test(e.message)));
    });
  });

  test('policy revert restores at once and checks again', async () => {
    const fake = fakeRamp();
    let report = scaled;
    fake.drift.report = () => report;
    fake.drift.onRestore = () => (report = inSync);
    await watch(fake, input('revert'), async (_handle, status) => {
      const s = await status((st) => st.events.some((e) => e.kind === 'drift-reverted') && st.phase === 'InSync', 'reverted and in sync');
      assert.match(s.events.find((e) => e.kind === 'drift-reverted')!.message, /policy revert: Deployment shop\/web-stable spec\.replicas 5 \(Git: 2\)/);
      assert.ok(fake.notifications.some((n) => n.kind === 'drift-reverted'));
    });
  });

  test('while a promotion holds the environment nothing is compared; decisions are refused', async () => {
    const fake = fakeRamp();
    fake.drift.report = () => scaled;
    const args = input('alert');
    fake.holders.set(stageWorkflowId(args.pipeline, args.stage.name), 'web@2.0.0');
    await watch(fake, args, async (handle, status) => {
      const paused = await status((s) => s.phase === 'Paused' && s.checks >= 2, 'paused');
      assert.match(paused.message, /promotion web@2\.0\.0 holds the environment/);
      assert.ok(!fake.driftCalls.some((c) => c.kind === 'detect'));
      assert.match(await refusalOf(handle.executeUpdate(rejectDriftUpdate, { args: [{ actor: 'alice' }] })), /a promotion is changing staging/);
      fake.holders.clear();
      await status((s) => s.phase === 'Drifted', 'compared once the promotion is gone');
    });
  });

  test('the record and the current drift survive continue-as-new', async () => {
    const fake = fakeRamp();
    fake.drift.report = () => scaled;
    await watch(
      fake,
      input('alert', { checksPerRun: 1 }),
      async (handle, status) => {
        const s = await status((st) => st.events.filter((e) => e.kind === 'continued-as-new').length >= 2, 'two continues-as-new');
        assert.equal(s.phase, 'Drifted');
        assert.equal(s.events.filter((e) => e.kind === 'drift-detected').length, 1, 'the same drift is not reported again in a new run');
        const ack = await handle.executeUpdate(rejectDriftUpdate, { args: [{ actor: 'alice' }] });
        assert.match(ack.message, /restored/);
      },
      'drift-watch-continue-as-new',
    );
  });

  test('a signed drift decision counts only for the commit of the check that found the drift', async () => {
    const keys = await generateDecisionKeys('drift-test');
    const keysFile = path.join(await mkdtemp(path.join(tmpdir(), 'ramp-drift-keys-')), 'decision-keys.json');
    await writeFile(keysFile, JSON.stringify(keys.publicKeys));
    const fake = fakeRamp({}, { decisionKeysFile: keysFile });
    fake.drift.report = () => scaled;
    fake.drift.onAccept = () => (fake.drift.report = () => inSync);
    const args = input('alert');
    const bob = person('bob', ['sre']);
    const signed = (commit: string) =>
      signDecision(
        {
          decisionId: randomUUID(),
          action: 'drift',
          actor: bob,
          target: {
            promotionId: driftWorkflowId(args.pipeline, args.stage.name),
            pipeline: args.pipeline,
            version: '',
            stage: args.stage.name,
            gate: null,
            attempt: null,
            commit,
          },
          issuedAt: new Date(Date.now() - 1000).toISOString(),
          expiresAt: new Date(Date.now() + 300_000).toISOString(),
        },
        keys.signing,
      );
    await watch(fake, args, async (handle, status) => {
      await status((s) => s.phase === 'Drifted' && s.lastCheck?.sha === SHA, 'the drift, found against SHA');
      const stale = await refusalOf(handle.executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob', decision: await signed('a'.repeat(40)) }] }));
      assert.match(stale, /taken on another state: commit a{40} \(this is b{40}\)/);
      const refusedEvent = (await handle.query(driftStatusQuery)).events.find((e) => e.kind === 'refused' && e.actor === 'bob');
      assert.ok(refusedEvent, 'the refusal is on the record');
      assert.equal(fake.driftCalls.filter((c) => c.kind === 'accept').length, 0, 'nothing was committed for the stale decision');

      const ack = await handle.executeUpdate(acceptDriftUpdate, { args: [{ actor: 'bob', decision: await signed(SHA), reason: 'traffic is up' }] });
      assert.match(ack.message, /committed/);
      const done = await status((s) => s.events.some((e) => e.kind === 'drift-accepted'), 'the accept on the record');
      assert.equal(done.events.find((e) => e.kind === 'drift-accepted')?.actor, 'bob');
    });
  });
});
