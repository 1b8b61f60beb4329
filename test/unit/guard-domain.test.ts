/** Tables for the history guard's pure logic (src/domain/guard.ts, guard-permission.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ackRefusal,
  acknowledgeBaseline,
  advanceTips,
  checkRequest,
  guardWorkflowId,
  initialBranches,
  missingCommits,
  pipelineOfPromotion,
  publicUrl,
  rememberPush,
  writeRefusal,
  type HistoryCheckResult,
  type Rewrite,
  type TrackedBranch,
} from '../../src/domain/guard.js';
import { historyAckRefusal } from '../../src/domain/guard-permission.js';
import { Access } from '../../src/schema/access.js';
import { person } from '../support/actors.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const D = 'd'.repeat(40);
const repo = { url: 'https://bot:s3cret@git.example.com/org/gitops.git', branch: 'main', secretRef: null };

describe('history guard: ids and names', () => {
  const rows: [string, string, string][] = [
    ['https with credentials', 'https://bot:s3cret@git.example.com/org/gitops.git', 'https://git.example.com/org/gitops.git'],
    ['file url', 'file:///tmp/x/gitops.git', 'file:///tmp/x/gitops.git'],
    ['ssh scp form (no scheme) kept', 'git@github.com:org/gitops.git', 'git@github.com:org/gitops.git'],
    ['ssh url with user', 'ssh://git@github.com/org/gitops.git', 'ssh://github.com/org/gitops.git'],
  ];
  for (const [name, url, want] of rows) test(`publicUrl: ${name}`, () => assert.equal(publicUrl(url), want));

  test('the workflow id names url and branch, never credentials', () => {
    assert.equal(guardWorkflowId(repo), 'guard:https://git.example.com/org/gitops.git#main');
    assert.notEqual(guardWorkflowId(repo), guardWorkflowId({ ...repo, branch: 'prod' }));
  });

  const promotions: [string, string][] = [
    ['web@1.2.0', 'web'],
    ['web@1.0.0:rollback:production', 'web'],
    ['web/staging:drift', 'web'],
  ];
  for (const [id, pipeline] of promotions) test(`pipelineOfPromotion(${id}) = ${pipeline}`, () => assert.equal(pipelineOfPromotion(id), pipeline));
});

describe('history guard: what is watched', () => {
  test('the repository branch and the audit branch; the audit branch alone when it is the branch', () => {
    assert.deepEqual(
      initialBranches({ branch: 'main' }).map((b) => b.branch),
      ['main', 'ramp/audit'],
    );
    assert.deepEqual(
      initialBranches({ branch: 'ramp/audit' }).map((b) => b.branch),
      ['ramp/audit'],
    );
  });

  const base = initialBranches({ branch: 'main' });
  const rows: [string, TrackedBranch[], () => TrackedBranch[], string[]][] = [
    ['a push is remembered', base, () => rememberPush(base, 'main', A), [A]],
    ['a repeat is not', base, () => rememberPush(rememberPush(base, 'main', A), 'main', A), [A]],
    ['the newest N are kept', base, () => rememberPush(rememberPush(rememberPush(base, 'main', A, 2), 'main', B, 2), 'main', C, 2), [B, C]],
    [
      'the last tip is not remembered twice',
      [{ branch: 'main', tip: A, pushed: [] }],
      () => rememberPush([{ branch: 'main', tip: A, pushed: [] }], 'main', A),
      [],
    ],
  ];
  for (const [name, , run, pushed] of rows) test(name, () => assert.deepEqual(run().find((b) => b.branch === 'main')!.pushed, pushed));

  test('a push to an untracked branch tracks it', () => {
    assert.deepEqual(rememberPush(base, 'other', A).at(-1), { branch: 'other', tip: null, pushed: [A] });
  });

  test('a check asks for the last tip and the pushes per branch (an absent branch: nothing)', () => {
    const branches: TrackedBranch[] = [
      { branch: 'main', tip: A, pushed: [B, C] },
      { branch: 'ramp/audit', tip: null, pushed: [] },
    ];
    assert.deepEqual(checkRequest(repo, branches).branches, [
      { branch: 'main', shas: [A, B, C] },
      { branch: 'ramp/audit', shas: [] },
    ]);
  });
});

describe('history guard: what a check found', () => {
  const branches: TrackedBranch[] = [
    { branch: 'main', tip: A, pushed: [B] },
    { branch: 'ramp/audit', tip: C, pushed: [] },
  ];
  const result = (
    missing: HistoryCheckResult['missing'],
    tips: HistoryCheckResult['tips'] = [
      { branch: 'main', tip: D },
      { branch: 'ramp/audit', tip: C },
    ],
  ) => ({
    tips,
    missing,
  });
  const rows: [string, HistoryCheckResult, ReturnType<typeof missingCommits>][] = [
    ['everything reachable', result([]), []],
    ['a push gone', result([{ branch: 'main', sha: B }]), [{ branch: 'main', sha: B, seenAs: 'pushed' }]],
    ['the last tip gone', result([{ branch: 'main', sha: A }]), [{ branch: 'main', sha: A, seenAs: 'tip' }]],
    ['the audit branch rewritten', result([{ branch: 'ramp/audit', sha: C }]), [{ branch: 'ramp/audit', sha: C, seenAs: 'tip' }]],
    [
      'the audit branch deleted',
      result(
        [{ branch: 'ramp/audit', sha: C }],
        [
          { branch: 'main', tip: D },
          { branch: 'ramp/audit', tip: null },
        ],
      ),
      [{ branch: 'ramp/audit', sha: C, seenAs: 'tip' }],
    ],
    ['a commit never asked about is ignored', result([{ branch: 'main', sha: D }]), []],
  ];
  for (const [name, found, want] of rows) test(name, () => assert.deepEqual(missingCommits(branches, found), want));

  test('a clean check moves the tips on', () => {
    assert.deepEqual(
      advanceTips(branches, result([])).map((b) => b.tip),
      [D, C],
    );
  });

  test('an acknowledgement makes the current tips the baseline and forgets the missing commits', () => {
    const next = acknowledgeBaseline(
      branches,
      [
        { branch: 'main', tip: D },
        { branch: 'ramp/audit', tip: null },
      ],
      [{ branch: 'main', sha: B, seenAs: 'pushed' }],
    );
    assert.deepEqual(next, [
      { branch: 'main', tip: D, pushed: [] },
      { branch: 'ramp/audit', tip: null, pushed: [] },
    ]);
  });
});

describe('history guard: writes and acknowledgements', () => {
  const rewrite: Rewrite = { branch: 'main', missing: [{ branch: 'main', sha: B, seenAs: 'pushed' }], detectedAt: '2026-11-30T19:00:00.000Z' };

  test('no rewrite: writes allowed', () => assert.equal(writeRefusal(null, repo.url, 'web', 'the commit "x"'), null));
  test('a rewrite: the refusal says what, which commit, who acknowledges and how — without credentials', () => {
    const refusal = writeRefusal(rewrite, repo.url, 'web', 'the commit "web/staging: canary 1.1.0 at 10%"')!;
    assert.match(refusal, /^the history of https:\/\/git\.example\.com\/org\/gitops\.git was rewritten/);
    assert.match(refusal, /ramp wrote nothing \(the commit "web\/staging: canary 1\.1\.0 at 10%"\)/);
    assert.match(refusal, /https:\/\/git\.example\.com\/org\/gitops\.git was rewritten/);
    assert.match(refusal, /bbbbbbbbbbbb \(main, pushed by ramp\)/);
    assert.match(refusal, /ramp guard ack web --reason/);
    assert.match(refusal, /ramp resume/);
    assert.doesNotMatch(refusal, /s3cret/);
  });

  const rows: [string, { actor: string; reason?: string }, Rewrite | null, RegExp | null][] = [
    ['nobody', { actor: '', reason: 'x' }, rewrite, /say who you are/],
    ['no reason', { actor: 'alice' }, rewrite, /needs a reason/],
    ['a blank reason', { actor: 'alice', reason: '  ' }, rewrite, /needs a reason/],
    ['nothing to acknowledge', { actor: 'alice', reason: 'restored' }, null, /nothing to acknowledge/],
    ['accepted', { actor: 'alice', reason: 'cleanup of a leaked secret' }, rewrite, null],
  ];
  for (const [name, args, state, want] of rows) {
    test(`acknowledge: ${name}`, () => {
      const got = ackRefusal(args, state);
      if (want === null) assert.equal(got, null);
      else assert.match(got ?? '', want);
    });
  }

  const access = Access.parse({
    grants: [
      { who: ['group:sre'], may: ['administer'] },
      { who: ['bob'], may: ['administer'], stages: ['staging'] },
      { who: ['carol'], may: ['operate'] },
    ],
  });
  const permissions: [string, Parameters<typeof historyAckRefusal>[0], RegExp | null][] = [
    ['open pipeline: anyone', { pipeline: 'web', access: null, actor: person('mallory') }, null],
    ['administers the pipeline', { pipeline: 'web', access, actor: person('dave', ['sre']) }, null],
    ['administers one stage only', { pipeline: 'web', access, actor: person('bob') }, /may not administer web.*whole pipeline/],
    ['operates only', { pipeline: 'web', access, actor: person('carol') }, /may not administer web/],
  ];
  for (const [name, query, want] of permissions) {
    test(`who may acknowledge: ${name}`, () => {
      const got = historyAckRefusal(query);
      if (want === null) assert.equal(got, null);
      else assert.match(got ?? '', want);
    });
  }
});
