/**
 * The policy evaluator rule by rule (src/governance/policy-evaluate.ts): each effect, each
 * checkpoint, time zones, absent fields, evaluation errors (fail closed), the pinned hash; and
 * the pure pieces around it: the diff a commit checkpoint sees, the gate a require-approval
 * policy opens, the history the activity derives from ramp's commits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { historyOf } from '../../activities/policies.js';
import { evaluatePolicies, outcomeOf } from '../../src/governance/policy-evaluate.js';
import { lineDiff, policyDiff } from '../../src/governance/policy-diff.js';
import { policyApproval, policyGates } from '../../src/governance/policy-gate.js';
import { pin, policyHash } from '../../src/governance/policy-hash.js';
import { caseInput } from '../../src/governance/policy-cases.js';
import type { PolicyInput } from '../../src/governance/policy-input.js';
import type { PolicySpec } from '../../src/schema/pipeline.js';
import type { HistoryEntry } from '../../src/domain/changes.js';

const policy = (when: string, extra: Partial<PolicySpec> = {}): PolicySpec => ({
  name: 'p',
  at: ['stage-start'],
  when,
  effect: 'deny',
  message: 'no',
  ...extra,
});
const input = (partial: Record<string, unknown> = {}, checkpoint: PolicyInput['checkpoint'] = 'stage-start'): PolicyInput =>
  caseInput({ name: 'x', checkpoint, expect: 'allow', input: partial });

describe('policy evaluation, rule by rule', () => {
  const rows: { what: string; when: string; input: Record<string, unknown>; matched: boolean }[] = [
    { what: 'stage name', when: 'stage.name == "production"', input: { stage: { name: 'production' } }, matched: true },
    { what: 'stage name, other stage', when: 'stage.name == "production"', input: {}, matched: false },
    { what: 'image registry', when: '!release.image.startsWith("registry.example.com/")', input: { release: { image: 'docker.io/nginx' } }, matched: true },
    {
      what: 'Friday 15:30 Berlin (winter)',
      when: 'now.getDayOfWeek("Europe/Berlin") == 5 && now.getHours("Europe/Berlin") >= 15',
      input: { now: '2026-11-27T14:30:00Z' },
      matched: true,
    },
    {
      what: 'Friday 14:30 Berlin (winter)',
      when: 'now.getDayOfWeek("Europe/Berlin") == 5 && now.getHours("Europe/Berlin") >= 15',
      input: { now: '2026-11-27T13:30:00Z' },
      matched: false,
    },
    {
      what: 'Friday 15:30 Berlin (summer)',
      when: 'now.getDayOfWeek("Europe/Berlin") == 5 && now.getHours("Europe/Berlin") >= 15',
      input: { now: '2026-07-03T13:30:00Z' },
      matched: true,
    },
    { what: 'Saturday 00:30 Berlin is Friday in UTC', when: 'now.getDayOfWeek("Europe/Berlin") == 5', input: { now: '2026-11-27T23:30:00Z' }, matched: false },
    {
      what: 'diff outside the stage',
      when: 'diff.files.exists(f, !f.startsWith(stage.path + "/"))',
      input: { diff: { files: ['envs/production/a.yaml'] } },
      matched: true,
    },
    {
      what: 'diff inside the stage',
      when: 'diff.files.exists(f, !f.startsWith(stage.path + "/"))',
      input: { diff: { files: ['envs/staging/a.yaml'] } },
      matched: false,
    },
    { what: 'changed lines', when: 'diff.changedLines > 10', input: { diff: { changedLines: 11 } }, matched: true },
    {
      what: 'an approver of a group',
      when: 'approvals.exists(a, "sre" in a.actor.groups)',
      input: { approvals: [{ actor: { name: 'sam', groups: ['sre'] } }] },
      matched: true,
    },
    { what: 'a verified requester', when: 'requester.method == "oidc"', input: {}, matched: true },
    { what: 'a failed analysis', when: 'analysis.exists(a, a.phase == "Failed")', input: { analysis: [{ name: 'errors', phase: 'Failed' }] }, matched: true },
    { what: 'absent history, read with has()', when: 'has(history.lastFailureAt) && now - history.lastFailureAt < duration("1h")', input: {}, matched: false },
    {
      what: 'a recent failure',
      when: 'has(history.lastFailureAt) && now - history.lastFailureAt < duration("1h")',
      input: { history: { lastFailureAt: '2026-01-05T08:30:00Z' } },
      matched: true,
    },
    { what: 'a closed window', when: '!window.open', input: { window: { open: false, reason: 'freeze' } }, matched: true },
    { what: 'absent source commit', when: 'has(release.sourceCommit)', input: {}, matched: false },
  ];
  for (const row of rows) {
    test(row.what, () => {
      const [decision] = evaluatePolicies([policy(row.when)], input(row.input));
      assert.equal(decision?.error, undefined, decision?.error);
      assert.equal(decision?.matched, row.matched);
    });
  }

  test('a condition that cannot be evaluated counts as matched (fails closed) and says why', () => {
    const [decision] = evaluatePolicies([policy('release.sourceCommit == "abc"')], input());
    assert.equal(decision?.matched, true);
    assert.match(decision.message, /^no \(its condition could not be evaluated: .*sourceCommit/);
  });

  test('only the policies naming the checkpoint are evaluated', () => {
    const policies = (['stage-start', 'commit', 'full-promotion', 'rollback'] as const).map((at) => policy('true', { name: at, at: [at] }));
    for (const checkpoint of ['stage-start', 'commit', 'full-promotion', 'rollback'] as const) {
      assert.deepEqual(
        evaluatePolicies(policies, input({}, checkpoint)).map((d) => d.policy),
        [checkpoint],
      );
    }
  });

  test('the strongest matched effect wins: deny over require-approval over warn over allow', () => {
    const d = (effect: PolicySpec['effect'], matched: boolean) => ({ effect, matched });
    assert.equal(outcomeOf([]), 'allow');
    assert.equal(outcomeOf([d('deny', false), d('warn', true)]), 'warn');
    assert.equal(outcomeOf([d('warn', true), d('require-approval', true)]), 'require-approval');
    assert.equal(outcomeOf([d('require-approval', true), d('deny', true)]), 'deny');
  });

  test('a pinned policy carries its content hash; the hash follows the content, not key order or source', () => {
    const a = policy('true');
    const pinned = pin(a, 'org.yaml');
    assert.match(pinned.hash!, /^[0-9a-f]{64}$/);
    assert.equal(pinned.hash, policyHash({ message: 'no', effect: 'deny', when: 'true', at: ['stage-start'], name: 'p' }));
    assert.notEqual(pinned.hash, policyHash(policy('false')));
    const [decision] = evaluatePolicies([pinned], input());
    assert.deepEqual([decision?.hash, decision?.source], [pinned.hash, 'org.yaml']);
  });
});

describe('what a require-approval policy adds', () => {
  test('a gate of its rule, approvers the rule’s groups', () => {
    const approval = policyApproval(policy('true', { effect: 'require-approval', require: '2 of group:sre and 1 of group:product' }));
    assert.deepEqual(approval?.approvers, [
      { kind: 'group', name: 'sre' },
      { kind: 'group', name: 'product' },
    ]);
    assert.equal(approval?.minApprovals, 3);
    assert.equal(policyApproval(policy('true')), null, 'a deny adds no gate');
    assert.deepEqual(Object.keys(policyGates([policy('true', { name: 'sre', effect: 'require-approval', require: '1 of group:sre' }), policy('true')])), [
      'policy:sre',
    ]);
  });
});

describe('the diff a commit checkpoint sees', () => {
  test('changed lines of a surgical edit, several hunks, counted and listed', () => {
    const before = 'a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n';
    const after = 'a: 1\nb: 20\nc: 3\nd: 4\ne: 50\n';
    const file = lineDiff('envs/staging/x.yaml', before, after);
    assert.deepEqual(
      file.lines.map((l) => `${l.op}${l.text}`),
      ['-b: 2', '+b: 20', '-e: 5', '+e: 50'],
    );
    assert.deepEqual(policyDiff([file, lineDiff('same.yaml', 'x', 'x')]), {
      files: ['envs/staging/x.yaml'],
      changedLines: 4,
      lines: ['-b: 2', '+b: 20', '-e: 5', '+e: 50'],
    });
  });
});

describe('history from ramp commits', () => {
  const entry = (partial: Partial<HistoryEntry>): HistoryEntry => ({
    sha: 'a'.repeat(40),
    committedAt: '2026-01-01T00:00:00Z',
    subject: 'web/production: promote',
    promotion: 'web@1',
    stage: 'production',
    step: '1/promote',
    version: '1',
    approvedBy: [],
    requestedBy: null,
    rollback: null,
    ...partial,
  });
  test('the last rollback and the last full promotion in the last stage, of this pipeline only', () => {
    const entries = [
      entry({ subject: 'other/production: revert', rollback: { of: 'b', reason: 'x' }, committedAt: '2026-01-04T00:00:00Z' }),
      entry({ subject: 'web/staging: revert', stage: 'staging', rollback: { of: 'b', reason: 'x' }, committedAt: '2026-01-03T00:00:00Z' }),
      entry({ subject: 'web/production: canary', step: '1/0/canary/20', committedAt: '2026-01-02T12:00:00Z' }),
      entry({ committedAt: '2026-01-02T00:00:00Z' }),
    ];
    assert.deepEqual(historyOf(entries, 'web', 'production'), { lastFailureAt: '2026-01-03T00:00:00Z', lastProductionSuccessAt: '2026-01-02T00:00:00Z' });
    assert.deepEqual(historyOf([], 'web', 'production'), {});
  });
});
