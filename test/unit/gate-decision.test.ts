/**
 * The one choke point for decisions on an approval gate (src/domain/gate-decision.ts), as a
 * table: the gate's and the access block's approvers, groups from the token (verified) or the
 * worker's file (unverified names), the outcome already taken, one person twice, four-eyes for
 * the starter and the release's authors, and the outcome by `require` and minApprovals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApprovalOutcome, type ApprovalRecord } from '../../src/domain/approval.js';
import { gateApproverEntries, gateDecisionRefusal, gateOutcome, progress, type GateContext } from '../../src/domain/gate-decision.js';
import { unverifiedActor, type Actor } from '../../src/identity/actor.js';
import { person } from '../support/actors.js';
import { seedPipeline } from '../support/pipelines.js';

const spec = seedPipeline({
  name: 'web',
  access: ['    grants:', '      - { who: ["group:product"], may: [approve], stages: [production] }'].join('\n'),
  stages: { preview: {}, production: { with: ['approval: { approvers: [alice, "group:sre"], require: "2 of group:sre" }'] } },
});
const production = spec.stages.find((s) => s.name === 'production')!;

function gate(approvals: Actor[] = [], outcome: ApprovalRecord['outcome'] = ApprovalOutcome.Pending): ApprovalRecord {
  return {
    gate: 'gate',
    approvals: approvals.map((a) => ({ actor: a.name, identity: a, at: '2026-11-30T00:00:00Z', comment: '' })),
    rejection: null,
    refused: [],
    eligible: [],
    minApprovals: 2,
    deadline: null,
    outcome,
  };
}

const rm = person('rm', ['release-managers']);
const context = (over: Partial<GateContext> = {}): GateContext => ({
  pipeline: 'web',
  stage: production,
  access: spec.access,
  groups: { sre: ['carol'] },
  release: { starter: rm, authors: ['dev@example.com'] },
  ...over,
});

describe('gate decisions', () => {
  const bob = person('bob', ['sre']);
  const carol = person('carol', ['sre']);
  const dave = person('dave', ['product']);
  const cases: [string, ApprovalRecord, Actor, 'approve' | 'reject', GateContext, RegExp | null][] = [
    ['an sre approves', gate(), bob, 'approve', context(), null],
    ['a named user approves', gate(), person('alice'), 'approve', context(), null],
    ['the access block adds product', gate(), dave, 'approve', context(), null],
    [
      'nobody else',
      gate(),
      person('mallory'),
      'approve',
      context(),
      /mallory is not an approver of the gate approval of production: its approvers are alice, group:sre, group:product/,
    ],
    ['an unverified name, by the worker’s groups file', gate(), unverifiedActor('carol'), 'approve', context(), null],
    ['an unverified name the file does not list', gate(), unverifiedActor('bob'), 'approve', context(), /bob \(unverified\) is not an approver/],
    ['once a gate is decided, no more', gate([], ApprovalOutcome.Approved), bob, 'approve', context(), /already approved/],
    ['one person, twice', gate([bob]), bob, 'approve', context(), /bob has already approved; sre 1\/2 so far/],
    [
      'the starter may not approve',
      gate(),
      person('rm', ['sre']),
      'approve',
      context({ release: { starter: { ...rm, groups: ['sre'] }, authors: [] } }),
      /rm started this promotion and may not approve it/,
    ],
    ['the release’s author may not approve', gate(), person('dev', ['sre'], 'dev@example.com'), 'approve', context(), /dev authored the release/],
    ['but may reject', gate(), person('dev', ['sre'], 'dev@example.com'), 'reject', context(), null],
  ];
  assert.ok(cases.length > 0);
  for (const [what, record, actor, action, ctx, refusal] of cases) {
    test(what, () => {
      const answer = gateDecisionRefusal(record, actor, action, ctx);
      if (refusal === null) assert.equal(answer, null);
      else assert.match(answer ?? '', refusal);
    });
  }

  test('the outcome: 2 of group:sre, distinct people; a product approval counts toward no rule', () => {
    assert.equal(gateOutcome(gate([bob, dave]), context()), ApprovalOutcome.Pending);
    assert.equal(progress(gate([bob, dave]), context()).summary, 'sre 1/2');
    assert.equal(gateOutcome(gate([bob, carol]), context()), ApprovalOutcome.Approved);
    assert.equal(gateOutcome({ ...gate([bob, carol]), rejection: { actor: 'dave', at: '', comment: 'no' } }, context()), ApprovalOutcome.Rejected);
    assert.deepEqual(gateApproverEntries(gate(), context()), ['alice', 'group:sre', 'group:product']);
  });
});
