/**
 * Determinism guard: the committed histories of each workflow shape (success, rejection,
 * rollback with retry, abort) must replay against today's workflow code, and so must the
 * `before-<patch>-<shape>` copies recorded before a patch (promotions of that time may run). A failure here
 * means a change would break running promotions: guard it with patched(), then re-record.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle } from '../harness/temporal.js';
import type { InjectedSinks } from '@temporalio/worker';
import type { RampSinks } from '../../workflows/observe.js';

/** Replay never calls sinks; registered so that the SDK does not log the `ramp` sink as unknown. */
const ignoredFacts: InjectedSinks<RampSinks> = { ramp: { observe: { fn: () => undefined } } };
import { HISTORIES_DIR } from './record.js';

const shapes = (await readdir(HISTORIES_DIR, { withFileTypes: true }))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('replay of recorded histories', () => {
  test('every workflow shape has recorded histories', () => {
    assert.deepEqual(
      shapes.filter((s) => !s.startsWith('before-')),
      [
        'abort',
        'analysis-background-failed',
        'analysis-inconclusive-override',
        'approval-continue-as-new',
        'drift-watch-continue-as-new',
        'environment-continue-as-new',
        'four-eyes',
        'freeze-continue-as-new',
        'freeze-timed',
        'history-guard',
        'history-rewritten',
        'notify-routes',
        'override-skip',
        'policy-deny',
        'policy-require-approval',
        'rejection',
        'rollback-retry',
        'soak-wait',
        'success',
        'sync-drift-watch',
        'sync-not-healthy',
        'verified-decisions',
        'webhooks',
        'window-close-mid-canary',
        'window-override',
        'window-wait',
      ],
    );
    // Recorded before a patch: running promotions of that time must still replay. Kept until the patch is removed.
    assert.deepEqual(
      shapes.filter((s) => s.startsWith('before-attributes-')),
      ['before-attributes-abort', 'before-attributes-rejection', 'before-attributes-rollback-retry', 'before-attributes-success'],
    );
    // Recorded before verified decisions (patch verified-decisions): every shape with an operator command.
    assert.deepEqual(
      shapes.filter((s) => s.startsWith('before-decisions-')),
      [
        'before-decisions-abort',
        'before-decisions-analysis-inconclusive-override',
        'before-decisions-approval-continue-as-new',
        'before-decisions-override-skip',
        'before-decisions-rejection',
        'before-decisions-rollback-retry',
        'before-decisions-success',
        'before-decisions-sync-drift-watch',
      ],
    );
    // Recorded before notification routes (patch notify-routes) and signed drift decisions bound to
    // their commit (patch drift-decision-commit): every shape of that time.
    assert.deepEqual(
      shapes.filter((s) => s.startsWith('before-notify-')),
      [
        'abort',
        'analysis-background-failed',
        'analysis-inconclusive-override',
        'approval-continue-as-new',
        'drift-watch-continue-as-new',
        'environment-continue-as-new',
        'four-eyes',
        'history-rewritten',
        'override-skip',
        'rejection',
        'rollback-retry',
        'success',
        'sync-drift-watch',
        'sync-not-healthy',
        'verified-decisions',
        'webhooks',
      ].map((s) => `before-notify-${s}`),
    );
    // Recorded before governance (patches audit-trail, policies, deploy-windows): every shape of that time.
    assert.deepEqual(
      shapes.filter((s) => s.startsWith('before-governance-')),
      [
        'abort',
        'analysis-background-failed',
        'analysis-inconclusive-override',
        'approval-continue-as-new',
        'drift-watch-continue-as-new',
        'environment-continue-as-new',
        'four-eyes',
        'history-rewritten',
        'notify-routes',
        'override-skip',
        'rejection',
        'rollback-retry',
        'success',
        'sync-drift-watch',
        'sync-not-healthy',
        'verified-decisions',
        'webhooks',
      ].map((s) => `before-governance-${s}`),
    );
    // Recorded before a stage closed its run only with no command running (patch continue-after-commands): the shape where a stage continues as new at a gate.
    assert.deepEqual(
      shapes.filter((s) => s.startsWith('before-continue-after-commands-')),
      ['before-continue-after-commands-approval-continue-as-new'],
    );
  });
  for (const shape of shapes) {
    test(shape, async () => {
      const dir = new URL(`${shape}/`, HISTORIES_DIR);
      const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
      // A promotion shape holds the promotion and at least one stage; a watch (a freeze, a history guard) holds itself.
      const single = /^(freeze|history-guard)/.test(shape);
      assert.ok(files.length >= (single ? 1 : 2), `${shape}: a shape holds a promotion and at least one stage (${files.join(', ')})`);
      const workflowBundle = await getWorkflowBundle();
      for (const file of files) {
        const { workflowId, history } = JSON.parse(await readFile(new URL(file, dir), 'utf8')) as { workflowId: string; history: unknown };
        await Worker.runReplayHistory({ workflowBundle, sinks: ignoredFacts }, history, workflowId);
      }
    });
  }
});
