/**
 * src/observability/visibility-gauges.ts: running promotions and stages, as visibility lists
 * them, grouped into ramp_promotions_running, ramp_stages_running and ramp_canary_weight.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UNKNOWN, visibilityGauges, type GaugeSample, type RunningWorkflow, type StageWeight } from '../../src/observability/visibility-gauges.js';

const promotion = (workflowId: string, pipeline: string | undefined, phase: string | undefined): RunningWorkflow => ({
  workflowId,
  kind: 'promotion',
  pipeline,
  stage: undefined,
  phase,
});
const stage = (workflowId: string, pipeline: string, name: string, phase: string): RunningWorkflow => ({
  workflowId,
  kind: 'stage',
  pipeline,
  stage: name,
  phase,
});
const canary = (canaryWeight: number): StageWeight => ({ strategy: 'canary', canaryWeight });

/** Samples in a stable order, as `labels=value` strings. */
function shown(samples: GaugeSample[]): string[] {
  return samples
    .map(
      (s) =>
        `${Object.entries(s.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')} ${s.value}`,
    )
    .sort();
}

const ROWS: {
  name: string;
  running: RunningWorkflow[];
  weights?: [string, StageWeight][];
  promotions: string[];
  stages: string[];
  weightsShown: string[];
}[] = [
  { name: 'nothing running: no samples', running: [], promotions: [], stages: [], weightsShown: [] },
  {
    name: 'promotions counted by pipeline and phase',
    running: [promotion('p1', 'web', 'Running'), promotion('p2', 'web', 'Running'), promotion('p3', 'web', 'Failed'), promotion('p4', 'api', 'Running')],
    promotions: ['pipeline=api,phase=Running 1', 'pipeline=web,phase=Failed 1', 'pipeline=web,phase=Running 2'],
    stages: [],
    weightsShown: [],
  },
  {
    name: 'stages counted by pipeline, stage and phase; canary weights by pipeline and stage',
    running: [
      stage('s1', 'web', 'production', 'AwaitingApproval'),
      stage('s2', 'web', 'staging', 'Analyzing'),
      stage('s3', 'api', 'production', 'Progressing'),
    ],
    weights: [
      ['s1', canary(20)],
      ['s2', canary(50)],
      ['s3', canary(0)],
    ],
    promotions: [],
    stages: [
      'pipeline=api,stage=production,phase=Progressing 1',
      'pipeline=web,stage=production,phase=AwaitingApproval 1',
      'pipeline=web,stage=staging,phase=Analyzing 1',
    ],
    weightsShown: ['pipeline=api,stage=production 0', 'pipeline=web,stage=production 20', 'pipeline=web,stage=staging 50'],
  },
  {
    name: 'a stage that did not answer its query, and a direct stage, show no weight',
    running: [stage('s1', 'web', 'production', 'Paused'), stage('s2', 'web', 'preview', 'Progressing')],
    weights: [['s2', { strategy: 'direct', canaryWeight: 0 }]],
    promotions: [],
    stages: ['pipeline=web,stage=preview,phase=Progressing 1', 'pipeline=web,stage=production,phase=Paused 1'],
    weightsShown: [],
  },
  {
    name: 'two canaries of one stage (a promotion and a rollback) show the larger weight',
    running: [stage('s1', 'web', 'production', 'Progressing'), stage('s2', 'web', 'production', 'Paused')],
    weights: [
      ['s1', canary(10)],
      ['s2', canary(40)],
    ],
    promotions: [],
    stages: ['pipeline=web,stage=production,phase=Paused 1', 'pipeline=web,stage=production,phase=Progressing 1'],
    weightsShown: ['pipeline=web,stage=production 40'],
  },
  {
    name: 'attributes not set yet show as unknown; other kinds are left out; long values are capped',
    running: [
      promotion('p1', undefined, undefined),
      { workflowId: 'h1', kind: 'helper', pipeline: 'web', stage: undefined, phase: undefined },
      promotion('p2', 'x'.repeat(150), 'Running'),
    ],
    promotions: [`pipeline=${UNKNOWN},phase=${UNKNOWN} 1`, `pipeline=${'x'.repeat(100)},phase=Running 1`],
    stages: [],
    weightsShown: [],
  },
];

describe('visibilityGauges', () => {
  assert.ok(ROWS.length >= 6, 'the table is whole');
  for (const row of ROWS) {
    test(row.name, () => {
      const values = visibilityGauges(row.running, new Map(row.weights ?? []));
      assert.deepEqual(shown(values.ramp_promotions_running), row.promotions);
      assert.deepEqual(shown(values.ramp_stages_running), row.stages);
      assert.deepEqual(shown(values.ramp_canary_weight), row.weightsShown);
    });
  }
});
