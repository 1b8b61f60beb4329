/** Tables for who may do what to a pipeline: the access block, its defaults, and gate approvers. */
import { person } from '../support/actors.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unverifiedActor, type Actor } from '../../src/identity/actor.js';
import { eligibleApprovers } from '../../src/domain/approval.js';
import { approverRefusal, gateApprovers, grantedApprovers, groupsOf, permissionRefusal, type PermissionQuery } from '../../src/domain/permissions.js';
import { Access } from '../../src/schema/access.js';
import { approverEntry, type ApproverEntry } from '../../src/schema/approval.js';
import type { AccessSpec } from '../../src/schema/pipeline.js';
import { normalisedSpec } from '../support/pipeline-builder.js';

const entries = (...names: string[]): ApproverEntry[] => names.map(approverEntry);
const access = (grants: unknown[]): AccessSpec => Access.parse({ grants });
/** The worker's groups file: used only for unverified actors. */
const GROUPS = { sre: ['mallory-local', 'frank'], 'release-managers': ['rita'] };

const ACCESS = access([
  { who: ['group:release-managers', 'alice'], may: ['promote', 'operate', 'rollback'] },
  { who: ['group:sre'], may: ['operate', 'drift', 'approve'], stages: ['production'] },
  { who: ['root'], may: ['administer'] },
]);

/** A query without the pipeline and the groups file, which every row shares. */
type Query = PermissionQuery extends infer Q ? (Q extends PermissionQuery ? Omit<Q, 'pipeline' | 'groups'> : never) : never;
type Row = [name: string, query: Query, refusal: string | null];

const rows: Row[] = [
  // Without an access block: today's behaviour.
  ['no access block: anyone promotes', { access: null, actor: person('mallory'), permission: 'promote', stage: null }, null],
  ['no access block: anyone operates', { access: null, actor: person('mallory'), permission: 'operate', stage: 'production' }, null],
  ['no access block: anyone rolls back', { access: undefined, actor: person('mallory'), permission: 'rollback', stage: 'production' }, null],
  ['no access block: anyone decides drift', { access: null, actor: person('mallory'), permission: 'drift', stage: 'production' }, null],
  ['no access block: anyone overrides a deploy window', { access: null, actor: person('mallory'), permission: 'override', stage: 'production' }, null],
  ['administer implies override', { access: ACCESS, actor: person('root'), permission: 'override', stage: 'production' }, null],
  [
    'operate does not imply override',
    { access: ACCESS, actor: person('alice'), permission: 'override', stage: 'production' },
    'alice may not override the deploy windows of production of web: the access block grants override on production to root',
  ],
  [
    'no access block: nobody administers',
    { access: null, actor: person('mallory'), permission: 'administer', stage: null },
    'mallory may not administer web: it has no access block, so nobody administers it. Add spec.access.grants with may: [administer]',
  ],
  [
    'no access block: the gate approvers approve, nobody else',
    { access: null, actor: person('mallory', ['dev']), permission: 'approve', stage: 'production', approvers: entries('group:sre') },
    'mallory is not in group:sre, which approves production of web (mallory is in group:dev). Ask a member to approve',
  ],
  [
    'no access block: a gate approver approves',
    { access: null, actor: person('sam', ['sre']), permission: 'approve', stage: 'production', approvers: entries('group:sre') },
    null,
  ],
  // With one: only what it grants.
  ['a granted user promotes (by name)', { access: ACCESS, actor: person('alice'), permission: 'promote', stage: 'staging' }, null],
  ['a granted user matches by email', { access: ACCESS, actor: person('al', [], 'ALICE'), permission: 'promote', stage: 'staging' }, null],
  ['a granted group promotes the whole pipeline', { access: ACCESS, actor: person('rm', ['release-managers']), permission: 'promote', stage: null }, null],
  [
    'an ungranted person may not operate',
    { access: ACCESS, actor: person('mallory', ['dev']), permission: 'operate', stage: 'production' },
    'mallory may not operate production of web: the access block grants operate on production to group:release-managers, alice, group:sre, root',
  ],
  [
    'a stage grant does not reach other stages',
    { access: ACCESS, actor: person('sam', ['sre']), permission: 'drift', stage: 'staging' },
    'sam may not decide drift on staging of web: the access block grants drift on staging to root',
  ],
  ['a stage grant covers its stage', { access: ACCESS, actor: person('sam', ['sre']), permission: 'drift', stage: 'production' }, null],
  [
    'a stage grant does not cover the pipeline as a whole',
    { access: access([{ who: ['group:sre'], may: ['promote'], stages: ['production'] }]), actor: person('sam', ['sre']), permission: 'promote', stage: null },
    "sam may not promote web: the access block grants promote on all stages ('*') to nobody. Add a grant with may: [promote] to spec.access.grants",
  ],
  ['administer implies operate', { access: ACCESS, actor: person('root'), permission: 'operate', stage: 'production' }, null],
  ['administer implies rollback', { access: ACCESS, actor: person('root'), permission: 'rollback', stage: null }, null],
  [
    'administer does not imply approve',
    { access: ACCESS, actor: person('root'), permission: 'approve', stage: 'staging', approvers: entries('group:sre') },
    'root is not in group:sre, which approves staging of web (root is in no group). Ask a member to approve',
  ],
  [
    'granted approve adds approvers to the gate',
    { access: ACCESS, actor: person('sam', ['sre']), permission: 'approve', stage: 'production', approvers: entries('bob') },
    null,
  ],
  [
    "the gate's own approvers still approve",
    { access: ACCESS, actor: person('bob'), permission: 'approve', stage: 'production', approvers: entries('bob') },
    null,
  ],
  [
    'granted approve is per stage',
    { access: ACCESS, actor: person('sam', ['sre']), permission: 'approve', stage: 'staging', approvers: entries('bob') },
    'sam is not an approver of staging of web: its approvers are bob (sam is in group:sre). Ask one of them to approve',
  ],
  [
    'an empty access block grants nothing',
    { access: access([]), actor: person('alice'), permission: 'rollback', stage: 'production' },
    'alice may not roll back production of web: the access block grants rollback on production to nobody. Add a grant with may: [rollback] to spec.access.grants',
  ],
  // Unverified actors: groups from the worker's groups file, and the label says so.
  [
    'an unverified actor gets groups from the groups file',
    { access: ACCESS, actor: unverifiedActor('frank'), permission: 'operate', stage: 'production' },
    null,
  ],
  [
    'an unverified actor is labelled',
    { access: ACCESS, actor: unverifiedActor('eve'), permission: 'operate', stage: 'staging' },
    'eve (unverified) may not operate staging of web: the access block grants operate on staging to group:release-managers, alice, root',
  ],
  [
    "a verified actor's groups come from the token, not the file",
    { access: ACCESS, actor: person('frank'), permission: 'operate', stage: 'staging' },
    'frank may not operate staging of web: the access block grants operate on staging to group:release-managers, alice, root',
  ],
  [
    'nobody named',
    { access: ACCESS, actor: unverifiedActor(''), permission: 'operate', stage: 'staging' },
    'no actor given. Say who you are (ramp login, or --as <user> on the local stack)',
  ],
];

describe('permissionRefusal', () => {
  for (const [name, query, expected] of rows) {
    test(name, () => assert.equal(permissionRefusal({ ...query, pipeline: 'web', groups: GROUPS }), expected));
  }
});

describe('approverRefusal', () => {
  const of = groupsOf(GROUPS);
  const cases: [string, Actor, ApproverEntry[], string | null][] = [
    ['a user entry matches by subject', person('x'), entries('sub-x'), null],
    ['a user entry matches by name', person('carol'), entries('carol'), null],
    ['a group entry matches by the token groups', person('s', ['sre']), entries('group:sre'), null],
    ['an unverified actor matches a group by the groups file', unverifiedActor('mallory-local'), entries('group:sre'), null],
    [
      'several approvers are listed',
      person('mallory'),
      entries('alice', 'group:sre'),
      'mallory is not an approver of production: its approvers are alice, group:sre (mallory is in no group). Ask one of them to approve',
    ],
    [
      'a gate nobody may decide',
      person('mallory'),
      [],
      'mallory may not approve production: it has no approvers. Add approvers to the gate, or grant approve on it in spec.access',
    ],
  ];
  for (const [name, actor, approvers, expected] of cases) {
    test(name, () => assert.equal(approverRefusal(actor, approvers, of, 'production'), expected));
  }
});

describe('granted approvers', () => {
  test('grants with approve on the stage or on every stage, once each, in order', () => {
    const granted = access([
      { who: ['group:sre', 'alice'], may: ['approve'], stages: ['production'] },
      { who: ['alice', 'group:product'], may: ['approve', 'promote'] },
      { who: ['root'], may: ['administer'] },
      { who: ['bob'], may: ['approve'], stages: ['staging'] },
    ]);
    assert.deepEqual(grantedApprovers(granted, 'production'), entries('group:sre', 'alice', 'group:product'));
    assert.deepEqual(grantedApprovers(granted, 'staging'), entries('alice', 'group:product', 'bob'));
    assert.deepEqual(grantedApprovers(null, 'production'), []);
  });
  test('eligibleApprovers: the granted approvers join the snapshot of users', () => {
    const spec = normalisedSpec((d) => (d.spec.access = { grants: [{ who: ['group:release-managers', 'zed'], may: ['approve', 'promote'] }] }));
    const gate = spec.stages[1]!.approval!;
    assert.deepEqual(eligibleApprovers(gate, GROUPS), ['alice', 'frank', 'mallory-local']);
    assert.deepEqual(eligibleApprovers(gate, GROUPS, grantedApprovers(spec.access, 'production')), ['alice', 'frank', 'mallory-local', 'rita', 'zed']);
  });
  test("gateApprovers: the gate's own first, then the granted ones not already listed", () => {
    const granted = access([{ who: ['group:sre', 'alice'], may: ['approve'] }]);
    assert.deepEqual(gateApprovers(entries('alice', 'bob'), granted, 'production'), entries('alice', 'bob', 'group:sre'));
  });
});

describe('the access block in the pipeline', () => {
  test('absent: null (the defaults)', () => assert.equal(normalisedSpec().access, null));
  test('stages default to every stage; who is normalised like approvers', () => {
    const spec = normalisedSpec((d) => (d.spec.access = { grants: [{ who: ['group:sre', 'alice'], may: ['promote'] }] }));
    assert.deepEqual(spec.access, { grants: [{ who: entries('group:sre', 'alice'), may: ['promote'], stages: ['*'] }] });
  });
  test('an unknown permission is a shape error', () => {
    assert.equal(Access.safeParse({ grants: [{ who: ['alice'], may: ['deploy'] }] }).success, false);
  });
});
