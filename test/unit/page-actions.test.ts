/**
 * Which actions the release page offers whom, and why not: a table over hand-built snapshots,
 * real pinned pipelines (through the loader) and verified viewers. The refusals are the domain's
 * own sentences (permissions, gate decisions, four-eyes, overrides), never the page's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canApproveNow, pageActions, type ActionInput, type PageAction } from '../../server/ui/page-actions.js';
import type { PinnedRelease } from '../../server/ui/pinned.js';
import type { Actor } from '../../src/identity/actor.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { approval, at, production, promotion } from '../cli/status-fixtures.js';
import { seedPipeline } from '../support/pipelines.js';

const person = (name: string, groups: string[] = []): Actor => ({
  subject: `sub-${name}`,
  name,
  email: `${name}@example.com`,
  groups,
  issuer: 'https://issuer.test',
  method: 'oidc',
});

const ACCESS = ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n');

function pinned(access = true): PinnedRelease {
  return {
    pipeline: seedPipeline({
      name: 'web',
      ...(access ? { access: ACCESS } : {}),
      stages: {
        preview: {},
        production: { with: ['approval: { approvers: ["group:sre"], require: "1 of group:sre" }'], steps: ['setWeight: 20', 'pause: {}', 'setWeight: 60'] },
      },
    }),
    release: { authors: ['dave@example.com'] },
    requestedBy: 'rm',
    kind: 'promote',
  };
}

const requester = person('rm', ['sre', 'release-managers']);
const atGate = (overrides: Partial<StageStatus> = {}): StageStatus =>
  production({
    phase: 'AwaitingApproval',
    pauseReason: null,
    currentStep: 0,
    approvals: [approval({ outcome: 'Pending', approvals: [], refused: [], approvers: ['group:sre'], eligible: [] })],
    ...overrides,
  });

const input = (
  viewer: Actor,
  snapshot: { promotion?: Partial<PromotionStatus>; stage?: StageStatus | null },
  more: Partial<ActionInput> = {},
): ActionInput => ({
  snapshot: { promotion: promotion({ requester, ...snapshot.promotion }), activeStage: snapshot.stage === undefined ? atGate() : snapshot.stage },
  viewer,
  pinned: pinned(),
  server: { operate: null, rollback: {} },
  ...more,
});

/** `name: refusal` per action, `name: ok` when permitted: what a row of the table expects. */
const summary = (actions: PageAction[]) => actions.map((a) => `${a.name}: ${a.refusal === null ? 'ok' : a.refusal}`);

describe('the actions a release page offers', () => {
  const cases: [string, ActionInput, (string | RegExp)[]][] = [
    [
      'a stage waiting for its deploy window: an override (the override permission), no resume',
      input(person('olga', ['release-managers']), { stage: production({ pauseReason: 'DeployWindowClosed', message: 'waits for the deploy window day' }) }),
      [
        /^window-override: olga may not override the deploy windows of production of web: the access block grants override on production to nobody/,
        'abort: ok',
      ],
    ],
    [
      'without an access block anyone may override a closed window',
      input(
        person('olga'),
        { stage: production({ pauseReason: 'DeployWindowClosed', message: 'waits for the deploy window day' }) },
        { pinned: pinned(false) },
      ),
      ['window-override: ok', 'abort: ok'],
    ],
    [
      'an sre member at the gate may approve and reject; an operator without operate may not abort',
      input(person('sam', ['sre']), {}),
      ['approve: ok', 'reject: ok', /^abort: sam may not operate production of web: the access block grants operate on production to group:release-managers$/],
    ],
    [
      'someone outside group:sre may not decide the gate, and is told who may',
      input(person('olga', ['release-managers']), {}),
      [
        /^approve: olga is not in group:sre, which approves the gate approval of production \(olga is in group:release-managers\)\. Ask a member to approve$/,
        /^reject: olga is not in group:sre/,
        'abort: ok',
      ],
    ],
    [
      'the person who started it may reject but not approve (four-eyes)',
      input(requester, {}),
      [/^approve: rm started this promotion and may not approve it \(four-eyes/, 'reject: ok', 'abort: ok'],
    ],
    ['an author of the release may not approve it', input(person('dave', ['sre']), {}), [/^approve: dave authored the release/, 'reject: ok', /^abort: /]],
    [
      'who approved already may not approve twice',
      input(person('sam', ['sre']), {
        stage: atGate({
          approvals: [
            approval({
              outcome: 'Pending',
              minApprovals: 2,
              approvals: [{ actor: 'sam', identity: person('sam', ['sre']), at: at(20), comment: '' }],
              refused: [],
              approvers: ['group:sre'],
            }),
          ],
        }),
      }),
      [/^approve: sam has already approved; sre 1\/1, total 1\/2 so far$/, 'reject: ok', /^abort: /],
    ],
    [
      'without the pinned pipeline, the approvers the record wrote decide',
      input(person('olga'), {}, { pinned: null }),
      [/^approve: olga is not in group:sre, which approves the gate approval of production/, /^reject: /, 'abort: ok'],
    ],
    [
      'a canary paused until resumed: resume, skip and abort need operate',
      input(person('sam', ['sre']), { stage: production() }),
      [/^resume: sam may not operate production of web/, /^skip: sam may not operate production of web/, /^abort: sam may not operate/],
    ],
    [
      'a release manager may resume, and skip only as an approver of the stage',
      input(person('olga', ['release-managers']), { stage: production() }),
      [
        'resume: ok',
        /^skip: olga may not skip the remaining canary steps: only an approver of production may override \(group:sre; olga is in group:release-managers\)$/,
        'abort: ok',
      ],
    ],
    [
      'an inconclusive analysis: continuing is an override',
      input(person('olga', ['release-managers']), { stage: production({ pauseReason: 'InconclusiveAnalysis' }) }),
      [/^resume: olga may not resume past an inconclusive analysis: only an approver of production may override/, /^skip: olga may not skip/, 'abort: ok'],
    ],
    [
      'a progressing canary: pause, skip, abort',
      input(person('ruth', ['release-managers', 'sre']), { stage: production({ phase: 'Progressing', pauseReason: null }) }),
      ['pause: ok', 'skip: ok', 'abort: ok'],
    ],
    [
      'without an access block anyone may operate',
      input(person('zed'), { stage: production() }, { pinned: pinned(false) }),
      ['resume: ok', /^skip: zed may not skip/, 'abort: ok'],
    ],
    [
      'the server refuses operate (a service token out of scope): every operate action says so',
      input(
        person('ruth', ['release-managers', 'sre']),
        { stage: production() },
        { server: { operate: 'service token ci may not operate web: its scope is promote on web', rollback: {} } },
      ),
      [
        'resume: service token ci may not operate web: its scope is promote on web',
        'skip: service token ci may not operate web: its scope is promote on web',
        'abort: service token ci may not operate web: its scope is promote on web',
      ],
    ],
    [
      'waiting for the environment: only abort',
      input(person('olga', ['release-managers']), { promotion: { phase: 'WaitingForEnvironment', activeStage: null }, stage: null }),
      ['abort: ok'],
    ],
    [
      'failed, waiting for a retry',
      input(person('olga', ['release-managers']), {
        promotion: {
          phase: 'Failed',
          activeStage: null,
          stages: [promotion().stages[0]!, { name: 'production', workflowId: 'web/production', attempt: 1, phase: 'RolledBack', result: null }],
        },
        stage: null,
      }),
      ['retry: ok', 'abort: ok'],
    ],
    [
      'finished: a rollback per promoted stage, as the server authorizes it',
      input(
        person('olga'),
        {
          promotion: {
            phase: 'Succeeded',
            activeStage: null,
            finishedAt: at(50),
            stages: [promotion().stages[0]!, { name: 'production', workflowId: 'web/production', attempt: 1, phase: 'Promoted', result: null }],
          },
          stage: null,
        },
        {
          server: {
            operate: null,
            rollback: {
              preview: null,
              production: 'olga may not roll back production of web: the access block grants rollback on production to group:release-managers',
            },
          },
        },
      ),
      ['rollback: ok', 'rollback: olga may not roll back production of web: the access block grants rollback on production to group:release-managers'],
    ],
  ];
  for (const [name, given, expected] of cases) {
    test(name, () => {
      const got = summary(pageActions(given));
      assert.equal(got.length, expected.length, got.join('\n'));
      expected.forEach((e, i) => (typeof e === 'string' ? assert.equal(got[i], e) : assert.match(got[i]!, e)));
    });
  }

  test('each action posts to its API route with the text the API asks for', () => {
    const [approve, reject, abort] = pageActions(input(person('sam', ['sre']), {}));
    assert.deepEqual(
      [approve!.path, approve!.text],
      ['/api/v1/promotions/web%401.4.2/stages/production/approve', { name: 'comment', required: false, label: 'Comment (optional)' }],
    );
    assert.deepEqual([reject!.path, reject!.text?.name, reject!.text?.required], ['/api/v1/promotions/web%401.4.2/stages/production/reject', 'reason', true]);
    assert.deepEqual([abort!.path, abort!.text?.name, abort!.text?.required], ['/api/v1/promotions/web%401.4.2/abort', 'reason', true]);
    const [rollback] = pageActions(
      input(
        person('olga'),
        { promotion: { phase: 'Succeeded', activeStage: null, finishedAt: at(50) }, stage: null },
        { server: { operate: null, rollback: { preview: null } } },
      ),
    );
    // Rollback and skip change production: the page asks why (the API takes an optional reason and records it).
    assert.deepEqual(
      [rollback!.path, rollback!.fields, rollback!.text?.name, rollback!.text?.required],
      ['/api/v1/rollbacks', { pipeline: 'web', version: '1.4.2', stages: 'preview' }, 'reason', true],
    );
    const skip = pageActions(input(person('sam', ['sre']), { stage: production() })).find((a) => a.name === 'skip');
    assert.deepEqual([skip?.path, skip?.text?.name, skip?.text?.required], ['/api/v1/promotions/web%401.4.2/stages/production/skip', 'reason', true]);
  });

  test('"waiting for me": only who may approve the gate now', () => {
    assert.equal(canApproveNow(input(person('sam', ['sre']), {})), true);
    assert.equal(canApproveNow(input(requester, {})), false);
    assert.equal(canApproveNow(input(person('sam', ['sre']), { stage: production() })), false);
  });
});
