/** Tables for the fixed label values of ramp's delivery facts (src/observability/fact-labels.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FailureReason } from '../../src/domain/phases.js';
import { OverrideKind } from '../../src/domain/override.js';
import { elapsedMs, overrideLabel, pipelineOfPromotion, rollbackCause, RollbackCause } from '../../src/observability/fact-labels.js';

describe('fact labels', () => {
  test('a failure reason maps to one rollback cause of the fixed set', () => {
    const cases: [FailureReason, string][] = [
      [FailureReason.AnalysisFailed, 'analysis'],
      [FailureReason.Aborted, 'abort'],
      [FailureReason.Rejected, 'rejected'],
      [FailureReason.ApprovalTimedOut, 'timeout'],
      [FailureReason.NotHealthy, 'not-healthy'],
      [FailureReason.StepFailed, 'step-failed'],
      [FailureReason.WebhookFailed, 'step-failed'],
      [FailureReason.PolicyDenied, 'step-failed'],
      [FailureReason.WindowClosed, 'step-failed'],
      [FailureReason.HistoryRewritten, 'step-failed'],
    ];
    for (const [reason, cause] of cases) assert.equal(rollbackCause(reason), cause, reason);
    // Every reason lands in the set.
    const set = new Set<string>(Object.values(RollbackCause));
    for (const reason of Object.values(FailureReason)) assert.ok(set.has(rollbackCause(reason)), reason);
  });

  test('override kinds', () => {
    assert.equal(overrideLabel(OverrideKind.Skip), 'skip');
    assert.equal(overrideLabel(OverrideKind.Inconclusive), 'analysis');
  });

  test('the pipeline of a promotion id, never the version', () => {
    const cases: [string, string][] = [
      ['web@1.4.2', 'web'],
      ['web@1.4.1:rollback:production', 'web'],
      ['checkout-api@2026.11.30-abc', 'checkout-api'],
      ['web/production', 'web'],
      ['plain', 'plain'],
      ['', 'unknown'],
      ['@1.0.0', 'unknown'],
    ];
    for (const [id, pipeline] of cases) assert.equal(pipelineOfPromotion(id), pipeline, id);
  });

  test('elapsed milliseconds: never negative, null without a start', () => {
    const t = Date.parse('2026-11-30T12:00:00.000Z');
    assert.equal(elapsedMs('2026-11-30T11:59:00.000Z', t), 60_000);
    assert.equal(elapsedMs('2026-11-30T12:00:01.000Z', t), 0);
    assert.equal(elapsedMs(null, t), null);
    assert.equal(elapsedMs(undefined, t), null);
    assert.equal(elapsedMs('not a time', t), null);
  });
});
