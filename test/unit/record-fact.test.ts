/**
 * src/observability/record-fact.ts: every kind of DeliveryFact lands in the catalog's metrics
 * with its labels, durations in seconds; facts without a measurable duration count and observe
 * nothing; label values are capped.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { DeliveryFact, DeliveryFactKind } from '../../src/observability/facts.js';
import { MAX_LABEL_LENGTH, recordFact } from '../../src/observability/record-fact.js';
import { rampRegistry } from '../../src/observability/registry.js';
import type { MetricName } from '../../src/observability/catalog.js';

type Labels = Record<string, string>;

/** What one fact must leave in the registry: samples (counter value, or a histogram's _count and _sum). */
interface Expected {
  metric: MetricName;
  labels: Labels;
  /** A counter's value. */
  value?: number;
  /** A histogram's observations: how many, and their sum (seconds). */
  count?: number;
  sum?: number;
}

interface Row {
  fact: DeliveryFact;
  expect: Expected[];
  /** Metrics that must have no sample at all after the fact. */
  untouched?: MetricName[];
}

const P = 'web';
const S = 'production';

/** One row per kind: a kind added to DeliveryFact without a row here fails to compile. */
const ROWS: { [K in DeliveryFactKind]: Row & { fact: Extract<DeliveryFact, { kind: K }> } } = {
  'promotion-started': {
    fact: { kind: 'promotion-started', pipeline: P, promotionKind: 'promote' },
    expect: [{ metric: 'ramp_promotions_started_total', labels: { pipeline: P, kind: 'promote' }, value: 1 }],
  },
  'promotion-finished': {
    fact: { kind: 'promotion-finished', pipeline: P, promotionKind: 'rollback', outcome: 'Succeeded', durationMs: 90_000 },
    expect: [
      { metric: 'ramp_promotions_finished_total', labels: { pipeline: P, kind: 'rollback', outcome: 'Succeeded' }, value: 1 },
      { metric: 'ramp_promotion_duration_seconds', labels: { pipeline: P, kind: 'rollback', outcome: 'Succeeded' }, count: 1, sum: 90 },
    ],
  },
  'stage-finished': {
    fact: { kind: 'stage-finished', pipeline: P, stage: S, outcome: 'Failed', durationMs: 1500 },
    expect: [{ metric: 'ramp_stage_duration_seconds', labels: { pipeline: P, stage: S, outcome: 'Failed' }, count: 1, sum: 1.5 }],
  },
  'analysis-measurement': {
    fact: { kind: 'analysis-measurement', pipeline: P, stage: S, metric: 'error-rate', phase: 'Failed' },
    expect: [{ metric: 'ramp_analysis_measurements_total', labels: { pipeline: P, stage: S, metric: 'error-rate', phase: 'Failed' }, value: 1 }],
  },
  'analysis-run': {
    fact: { kind: 'analysis-run', pipeline: P, stage: S, phase: 'Successful' },
    expect: [{ metric: 'ramp_analysis_runs_total', labels: { pipeline: P, stage: S, phase: 'Successful' }, value: 1 }],
  },
  'judge-score': {
    fact: { kind: 'judge-score', pipeline: P, stage: S, score: 87.5 },
    expect: [{ metric: 'ramp_judge_score', labels: { pipeline: P, stage: S }, count: 1, sum: 87.5 }],
  },
  'approval-requested': {
    fact: { kind: 'approval-requested', pipeline: P, stage: S },
    expect: [{ metric: 'ramp_approvals_requested_total', labels: { pipeline: P, stage: S }, value: 1 }],
  },
  'approval-decided': {
    fact: { kind: 'approval-decided', pipeline: P, stage: S, outcome: 'approved', waitMs: 600_000 },
    expect: [{ metric: 'ramp_approval_wait_seconds', labels: { pipeline: P, stage: S, outcome: 'approved' }, count: 1, sum: 600 }],
  },
  'gate-waited': {
    fact: { kind: 'gate-waited', pipeline: P, stage: S, gate: 'soak', waitMs: 3_600_000 },
    expect: [{ metric: 'ramp_gate_wait_seconds', labels: { pipeline: P, stage: S, gate: 'soak' }, count: 1, sum: 3600 }],
  },
  override: {
    fact: { kind: 'override', pipeline: P, stage: S, override: 'skip' },
    expect: [{ metric: 'ramp_overrides_total', labels: { pipeline: P, stage: S, kind: 'skip' }, value: 1 }],
  },
  rollback: {
    fact: { kind: 'rollback', pipeline: P, stage: S, cause: 'analysis', reactionMs: 250 },
    expect: [
      { metric: 'ramp_rollbacks_total', labels: { pipeline: P, stage: S, cause: 'analysis' }, value: 1 },
      { metric: 'ramp_rollback_reaction_seconds', labels: { pipeline: P, stage: S }, count: 1, sum: 0.25 },
    ],
  },
  'drift-detected': {
    fact: { kind: 'drift-detected', pipeline: P, stage: S },
    expect: [{ metric: 'ramp_drift_detected_total', labels: { pipeline: P, stage: S }, value: 1 }],
  },
  deployment: {
    fact: { kind: 'deployment', pipeline: P, stage: S, leadTimeMs: 7_200_000 },
    expect: [
      { metric: 'ramp_deployments_total', labels: { pipeline: P, stage: S }, value: 1 },
      { metric: 'ramp_lead_time_seconds', labels: { pipeline: P, stage: S }, count: 1, sum: 7200 },
    ],
  },
  'change-failure': {
    fact: { kind: 'change-failure', pipeline: P, stage: S, cause: 'revert' },
    expect: [{ metric: 'ramp_change_failures_total', labels: { pipeline: P, stage: S, cause: 'revert' }, value: 1 }],
  },
  'canary-catch': {
    fact: { kind: 'canary-catch', pipeline: P, stage: S },
    expect: [{ metric: 'ramp_canary_catches_total', labels: { pipeline: P, stage: S }, value: 1 }],
  },
  recovery: {
    fact: { kind: 'recovery', pipeline: P, stage: S, recoveryMs: 1_800_000 },
    expect: [{ metric: 'ramp_recovery_seconds', labels: { pipeline: P, stage: S }, count: 1, sum: 1800 }],
  },
};

/** Facts that count without a duration to observe. */
const EDGE_ROWS: { name: string; row: Row }[] = [
  {
    name: 'a rollback without a detection time counts and observes no reaction',
    row: {
      fact: { kind: 'rollback', pipeline: P, stage: S, cause: 'abort', reactionMs: null },
      expect: [{ metric: 'ramp_rollbacks_total', labels: { pipeline: P, stage: S, cause: 'abort' }, value: 1 }],
      untouched: ['ramp_rollback_reaction_seconds'],
    },
  },
  {
    name: 'a deployment without a source commit time counts and observes no lead time',
    row: {
      fact: { kind: 'deployment', pipeline: P, stage: S, leadTimeMs: null },
      expect: [{ metric: 'ramp_deployments_total', labels: { pipeline: P, stage: S }, value: 1 }],
      untouched: ['ramp_lead_time_seconds'],
    },
  },
  {
    name: 'a deployment whose source commit is dated after it observes no lead time',
    row: {
      fact: { kind: 'deployment', pipeline: P, stage: S, leadTimeMs: -5000 },
      expect: [{ metric: 'ramp_deployments_total', labels: { pipeline: P, stage: S }, value: 1 }],
      untouched: ['ramp_lead_time_seconds'],
    },
  },
  {
    name: 'label values longer than the cap are cut to it',
    row: {
      fact: { kind: 'approval-requested', pipeline: 'p'.repeat(300), stage: 's'.repeat(101) },
      expect: [{ metric: 'ramp_approvals_requested_total', labels: { pipeline: 'p'.repeat(MAX_LABEL_LENGTH), stage: 's'.repeat(MAX_LABEL_LENGTH) }, value: 1 }],
    },
  },
];

async function samples(metric: MetricName): Promise<{ name: string; labels: Labels; value: number }[]> {
  const found = rampRegistry.getSingleMetric(metric);
  assert.ok(found, `${metric} is in the registry`);
  const got = await found.get();
  return got.values.map((v) => ({ name: (v as { metricName?: string }).metricName ?? metric, labels: v.labels as Labels, value: v.value }));
}

function sameLabels(a: Labels, b: Labels): boolean {
  const without = (l: Labels) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== 'le'));
  return JSON.stringify(Object.entries(without(a)).sort()) === JSON.stringify(Object.entries(b).sort());
}

async function check(row: Row): Promise<void> {
  recordFact(row.fact);
  for (const expected of row.expect) {
    const all = await samples(expected.metric);
    const value = (suffix: string) => all.find((s) => s.name === `${expected.metric}${suffix}` && sameLabels(s.labels, expected.labels))?.value;
    if (expected.value !== undefined) {
      assert.equal(value(''), expected.value, `${expected.metric}${JSON.stringify(expected.labels)} after ${JSON.stringify(row.fact)}`);
      assert.equal(all.length, 1, `${expected.metric} has only the fact's series: ${JSON.stringify(all)}`);
    }
    if (expected.count !== undefined) assert.equal(value('_count'), expected.count, `${expected.metric}_count after ${row.fact.kind}`);
    if (expected.sum !== undefined) assert.equal(value('_sum'), expected.sum, `${expected.metric}_sum after ${row.fact.kind}`);
  }
  for (const metric of row.untouched ?? []) {
    const observed = (await samples(metric)).filter((s) => s.name.endsWith('_count') && s.value > 0);
    assert.deepEqual(observed, [], `${metric} observed nothing after ${JSON.stringify(row.fact)}`);
  }
}

describe('recordFact', () => {
  beforeEach(() => rampRegistry.resetMetrics());

  test('the table has a row for every kind of fact', () => {
    const kinds = Object.keys(ROWS);
    assert.equal(kinds.length, 16);
    for (const [kind, row] of Object.entries(ROWS)) {
      assert.equal(row.fact.kind, kind);
      assert.ok(row.expect.length > 0, `${kind} expects a sample`);
    }
  });

  for (const [kind, row] of Object.entries(ROWS)) {
    test(`${kind} → ${row.expect.map((e) => e.metric).join(', ')}`, () => check(row));
  }

  for (const { name, row } of EDGE_ROWS) test(name, () => check(row));

  test('facts of the same labels add up', async () => {
    recordFact({ kind: 'canary-catch', pipeline: P, stage: S });
    recordFact({ kind: 'canary-catch', pipeline: P, stage: S });
    recordFact({ kind: 'canary-catch', pipeline: P, stage: 'staging' });
    const all = await samples('ramp_canary_catches_total');
    assert.deepEqual(all.map((s) => [s.labels.stage, s.value]).sort(), [
      ['production', 2],
      ['staging', 1],
    ]);
  });
});
