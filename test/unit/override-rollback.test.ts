/** Tables for who may override a gate or verdict, and which versions a rollback may go back to. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { approverGroups, overrideEligible, overrideRefusal } from '../../src/domain/override.js';
import { rollbackRefusal, stableField, stableValue } from '../../src/domain/rollback.js';
import type { StageSpec, UpdateTargetSpec } from '../../src/schema/pipeline.js';

const approval = (...approvers: StageSpec['approval'] extends infer A ? (A extends { approvers: infer L } ? L : never) : never) => ({
  approvers,
  minApprovals: 1,
  require: null,
  allowSelfApproval: false,
  timeoutMs: null,
  onTimeout: 'reject' as const,
});
const user = (name: string) => ({ kind: 'user' as const, name });
const group = (name: string) => ({ kind: 'group' as const, name });
type S = Pick<StageSpec, 'approval' | 'strategy'> & { overrides?: StageSpec['overrides'] };
const direct: StageSpec['strategy'] = { kind: 'direct' };
const canaryWithApprovalStep = {
  kind: 'canary',
  steps: [
    { kind: 'setWeight', weight: 10 },
    { kind: 'approval', approval: approval(group('sre'), user('dave')) },
  ],
} as unknown as StageSpec['strategy'];

describe('overrides: who may resume past Inconclusive or skip', () => {
  const groups = { 'release-managers': ['carol', 'erin'], sre: ['frank'] };
  const cases: [string, S, string[] | null][] = [
    ['no approvals: anyone (there is no gate to bypass)', { approval: null, strategy: direct }, null],
    ["the gate's users and groups", { approval: approval(user('alice'), group('release-managers')), strategy: direct }, ['alice', 'carol', 'erin']],
    ['the gate and the approval steps together', { approval: approval(user('alice')), strategy: canaryWithApprovalStep }, ['alice', 'dave', 'frank']],
    ['overrides: anyone', { approval: approval(user('alice')), strategy: direct, overrides: 'anyone' }, null],
    ['a spec pinned before overrides existed: approvers', { approval: approval(user('alice')), strategy: direct }, ['alice']],
    ['an unresolved group contributes nobody', { approval: approval(group('unknown')), strategy: direct }, []],
  ];
  for (const [name, stage, expected] of cases) {
    test(name, () => assert.deepEqual(overrideEligible(stage, groups), expected));
  }

  test('approverGroups: every group of the gate and the steps, sorted, once', () => {
    assert.deepEqual(approverGroups({ approval: approval(group('sre'), user('a'), group('release-managers')), strategy: canaryWithApprovalStep }), [
      'release-managers',
      'sre',
    ]);
  });

  const refusals: [string, string[] | null, string, RegExp | null][] = [
    ['anyone may', null, 'mallory', null],
    ['an eligible approver', ['alice', 'carol'], 'carol', null],
    ['not eligible: says who is', ['alice', 'carol'], 'mallory', /^mallory may not skip: .*\(alice, carol\)$/],
    ['nobody eligible: points at the groups file', [], 'mallory', /nobody: check the worker's groups file/],
    ['no actor', null, '  ', /no actor given/],
  ];
  for (const [name, eligible, actor, expected] of refusals) {
    test(`refusal: ${name}`, () => {
      const why = overrideRefusal(eligible, actor, 'skip');
      if (expected === null) assert.equal(why, null);
      else assert.match(why ?? '', expected);
    });
  }
});

describe('rollback: only to a version that was live in the stage', () => {
  const yaml: UpdateTargetSpec = {
    kind: 'yamlUpdate',
    file: 'stable.yaml',
    path: 'spec.template.spec.containers[name=web].image',
    value: '{{ramp.image}}:{{ramp.version}}',
  };
  const kustomize: UpdateTargetSpec = { kind: 'kustomizeImage', file: 'kustomization.yaml', name: 'web' };

  test('stableField joins the stage path and the file, without ./ or doubled slashes', () => {
    assert.deepEqual(stableField('./envs/production/', yaml), { file: 'envs/production/stable.yaml', path: 'spec.template.spec.containers[name=web].image' });
    assert.deepEqual(stableField('envs/p', kustomize), { file: 'envs/p/kustomization.yaml', path: 'images[name=web].newTag' });
  });

  test('stableValue: what writing the version puts there', () => {
    assert.equal(stableValue(yaml, 'registry/web', '1.4.1'), 'registry/web:1.4.1');
    assert.equal(stableValue(kustomize, 'registry/web', '1.4.1'), '1.4.1');
  });

  const where = { pipeline: 'web', stage: 'production', version: '9.9.9' };
  const cases: [string, string[], string, RegExp | null][] = [
    ['a value the history holds', ['web:1.1.0', 'web:1.0.0'], 'web:1.0.0', null],
    [
      'never live: refused, says what was and what to do',
      ['web:1.1.0', 'web:1.0.0'],
      'web:9.9.9',
      /^9\.9\.9 was never live in production: .*never says web:9\.9\.9 \(it held web:1\.1\.0, web:1\.0\.0\).*ramp promote web 9\.9\.9$/,
    ],
    ['an empty history', [], 'web:1.0.0', /its history is empty/],
    ['a prefix is not a match', ['web:1.0.0-rc1'], 'web:1.0.0', /never live/],
  ];
  for (const [name, values, expected, refusal] of cases) {
    test(name, () => {
      const why = rollbackRefusal(values, expected, where);
      if (refusal === null) assert.equal(why, null);
      else assert.match(why ?? '', refusal);
    });
  }
});
