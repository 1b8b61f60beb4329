/**
 * The one sentence of the release page: what the promotion waits for (`ramp status`'s Waiting
 * line, cli/render/operator-hint.ts) and who can unblock it — by the pinned access block when
 * the caller knows it, in general words when not (the CLI). A table over hand-built snapshots.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { operatorHint, waitingSentence, type PinnedAccess } from '../../cli/render/operator-hint.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { approval, at, production, promotion } from '../cli/status-fixtures.js';
import { seedPipeline } from '../support/pipelines.js';

const spec = seedPipeline({
  name: 'web',
  access: ['    grants:', '      - { who: ["group:release-managers", ann], may: [operate] }'].join('\n'),
  stages: { preview: {}, production: { with: ['approval: { approvers: ["group:sre"] }'], steps: ['setWeight: 20', 'pause: {}'] } },
});
const pinned: PinnedAccess = { access: spec.access ?? null, stages: spec.stages };
const open: PinnedAccess = { access: null, stages: spec.stages };

type Case = [string, { promotion: PromotionStatus; activeStage: StageStatus | null }, PinnedAccess | null, string | null];

describe('what a release waits for, and who can unblock it', () => {
  const gate = production({
    phase: 'AwaitingApproval',
    pauseReason: null,
    message: 'waiting for 1 approval(s) from group:sre',
    approvals: [approval({ outcome: 'Pending', approvers: ['group:sre', 'alice'] })],
  });
  const cases: Case[] = [
    [
      'an approval gate: its approvers',
      { promotion: promotion(), activeStage: gate },
      pinned,
      'stage production is waiting for 1 approval(s) from group:sre. Who can unblock it: an approver (group:sre, alice) approves or rejects',
    ],
    [
      'paused until resumed: the operators the access block names',
      { promotion: promotion(), activeStage: production() },
      pinned,
      'stage production is paused at step 2 until resumed. Who can unblock it: group:release-managers, ann resumes it',
    ],
    [
      'paused, without the pinned spec (ramp status)',
      { promotion: promotion(), activeStage: production() },
      null,
      'stage production is paused at step 2 until resumed. Who can unblock it: anyone who may operate web resumes it',
    ],
    [
      'paused, no access block',
      { promotion: promotion(), activeStage: production() },
      open,
      'stage production is paused at step 2 until resumed. Who can unblock it: anyone (the pipeline has no access block) resumes it',
    ],
    [
      'a timed pause: the clock, or an operator sooner',
      { promotion: promotion(), activeStage: production({ pauseUntil: at(59) }) },
      pinned,
      'stage production is paused at step 2 until 09:00:59. Who can unblock it: the clock resumes it; group:release-managers, ann may resume it sooner',
    ],
    [
      'an inconclusive analysis: an approver of the stage overrides',
      { promotion: promotion(), activeStage: production({ pauseReason: 'InconclusiveAnalysis' }) },
      pinned,
      'stage production is paused: analysis inconclusive. Who can unblock it: an approver of production (group:sre) continues past it; group:release-managers, ann may abort (roll back)',
    ],
    [
      'a closed deploy window: when it opens, and who may override it',
      {
        promotion: promotion(),
        activeStage: production({
          pauseReason: 'DeployWindowClosed',
          message: 'waits for the deploy window business-hours: opens Mon 2026-11-23 09:00 Europe/Berlin; closed outside the allow window business-hours',
        }),
      },
      pinned,
      'stage production waits for the deploy window business-hours: opens Mon 2026-11-23 09:00 Europe/Berlin; closed outside the allow window business-hours. Who can unblock it: the clock (it goes on by itself when the window opens); nobody (the access block grants override on production to nobody) may override the closed window, with a reason',
    ],
    [
      'a soak: until when',
      {
        promotion: promotion(),
        activeStage: production({ pauseReason: 'Soaking', message: 'soaks in staging: 59 s left', soak: { after: 'staging', since: at(0), until: at(59) } }),
      },
      pinned,
      'stage production soaks in staging until 09:00:59: the version must be stable there for a while before production starts. Who can unblock it: the clock (it goes on by itself); group:release-managers, ann may abort',
    ],
    [
      'a webhook confirmation: the webhook',
      { promotion: promotion(), activeStage: production({ pauseReason: 'AwaitingConfirmation', message: 'waiting for confirm-promotion webhook(s) smoke' }) },
      pinned,
      "stage production is waiting for confirm-promotion webhook(s) smoke. Who can unblock it: the webhook's service, by answering 2xx (it is asked again every interval)",
    ],
    [
      'a busy environment: nobody needs to act',
      {
        promotion: promotion({
          phase: 'WaitingForEnvironment',
          message: 'waiting for environment production, held by web@1.4.1',
          waitingFor: { stage: 'production', heldBy: 'web@1.4.1' },
          activeStage: null,
        }),
        activeStage: null,
      },
      pinned,
      'waiting for environment production, held by web@1.4.1; it starts when that promotion leaves. Who can unblock it: nobody needs to act; group:release-managers, ann can abort the promotion that holds it',
    ],
    ['running: nothing waits', { promotion: promotion(), activeStage: production({ phase: 'Progressing', pauseReason: null }) }, pinned, null],
  ];
  for (const [name, snapshot, access, expected] of cases) {
    test(name, () => {
      const hint = operatorHint(snapshot, { timeZone: 'utc', throughServer: true }, access);
      assert.equal(hint && waitingSentence(hint), expected);
    });
  }
});
