/**
 * The demo `ramp dev` runs: a good release promoted everywhere, a bad one aborted in staging.
 * It plays the humans (an approver, someone resuming a pause); canary analysis against the
 * demo app's metrics decides which release is good.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { PipelineSpec } from '../src/schema/pipeline.js';
import type { AppSource } from './app-source.js';
import type { DemoApp } from './demo-app.js';
import { releaseBehaviour } from './gitops-traffic.js';
import { promotionStatusQuery, promotionWorkflowId, resumeUpdate, stageStatusQuery, type PromotionStatus, type StageStatus } from '../workflows/messages.js';
import type { promotionWorkflow } from '../workflows/promotion.js';

export interface DemoOptions {
  /** The demo app: each release is given traffic (good or bad) before it is promoted. */
  app: DemoApp;
  client: Client;
  taskQueue: string;
  pipeline: PipelineSpec;
  say: (line?: string) => void;
  /** Approves a stage's pending gate as a demo approver, through ramp server: the line to print. */
  approve: (promotionId: string, stage: string, comment: string) => Promise<void>;
  /** Who `approve` approves as, for the output (`alice, …`). */
  approver: string;
  /** Where a promotion's release page is. */
  releasePage: (promotionId: string) => string;
  /** A release to leave waiting at production's approval, for a person to approve on its page (ramp dev in a terminal). */
  park?: string;
  /** Where each release's change is committed before it is promoted (its source commit, for DORA's lead time). */
  source?: AppSource;
}

/** What the follower lets the demo do at each poll: act on a stage, return true when it acted. */
type Actor = (stage: StageStatus, act: (what: string, run: () => Promise<unknown>) => Promise<void>) => Promise<void>;

export async function runDemo({
  client,
  taskQueue,
  pipeline,
  say,
  app,
  approve,
  approver,
  releasePage,
  park,
  source,
}: DemoOptions): Promise<{ ok: boolean; good: string; bad: string; parked: string | null }> {
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;

  /** Promotes `version`, following it until it ends — or, with `until`, until a stage satisfies it (then null). */
  async function promote(version: string, actor: Actor, until?: (stage: StageStatus) => boolean): Promise<PromotionStatus | null> {
    const workflowId = promotionWorkflowId(pipeline.name, version);
    const release = await source?.commit(version, releaseChange(version));
    const handle = await client.workflow.start<typeof promotionWorkflow>('promotionWorkflow', {
      taskQueue,
      workflowId,
      args: [{ apiVersion: 'ramp/v1', pipeline, version, requestedBy: 'demo', kind: 'promote', ...(release ? { release } : {}) }],
    });
    say(`\n${stamp()} ramp promote ${pipeline.name} ${version}   → ${workflowId}`);
    const printed = new Set<string>();
    const lastMessage = new Map<string, string>();
    const acted = new Set<string>();
    const act = async (what: string, run: () => Promise<unknown>) => {
      if (acted.has(what)) return;
      acted.add(what);
      say(`${stamp()}   demo: ${what}`);
      await run();
    };
    for (;;) {
      const status = await handle.query(promotionStatusQuery);
      const active = status.activeStage
        ? await client.workflow
            .getHandle(status.activeStage.workflowId)
            .query(stageStatusQuery)
            .catch(() => null)
        : null;
      for (const stage of [...status.stages.map((s) => s.result), active]) {
        if (!stage || stage.promotionId !== workflowId) continue;
        for (const [i, event] of stage.events.entries()) {
          const key = `${stage.stage}/${stage.attempt}/${i}`;
          if (printed.has(key) || event.kind === 'started') continue;
          printed.add(key);
          if (lastMessage.get(stage.stage) === event.message) continue; // e.g. a failure that repeats the verdict
          lastMessage.set(stage.stage, event.message);
          say(`${stamp()}   ${stage.stage.padEnd(10)} ${event.message}`);
        }
      }
      if (status.finishedAt !== null) {
        say(`${stamp()} ${workflowId}: ${status.phase} — ${status.message}`);
        return status;
      }
      if (active && active.promotionId === workflowId && until?.(active)) return null;
      if (active && active.promotionId === workflowId) await actor(active, act);
      await sleep(200);
    }
  }

  say('\n1) A good release, 1.1.0 (0.1 % errors): preview → staging (canary, analysis) → production (approval, canary, analysis, a pause for a human).');
  app.set('1.1.0', releaseBehaviour('1.1.0')); // before Git has it, so its metrics are ready early
  const good = (await promote('1.1.0', async (stage, act) => {
    const id = stage.promotionId;
    if (stage.phase === 'AwaitingApproval') {
      // Not as "demo", who promoted: four-eyes keeps the starter from approving their own release.
      await act(`approves ${stage.stage} as ${approver}, signed in through the demo OpenID Provider, via ramp server`, () =>
        approve(id, stage.stage, 'dashboards look good'),
      );
    }
    if (stage.phase === 'Paused' && stage.pauseReason === 'CanaryPauseStep' && stage.pauseUntil === null) {
      await act(`resumes the paused ${stage.stage} canary (ramp resume)`, () =>
        client.workflow.getHandle(`${pipeline.name}/${stage.stage}`).executeUpdate(resumeUpdate, { args: [{ promotionId: id, actor: 'demo' }] }),
      );
    }
  }))!;

  say('\n2) A bad release, 1.2.0 (30 % errors): canary analysis catches it in staging and ramp reverts it.');
  app.set('1.2.0', releaseBehaviour('1.2.0'));
  const bad = (await promote('1.2.0', () => Promise.resolve()))!;

  const staging = bad.stages.find((s) => s.name === 'staging')?.result;
  const ok = good.phase === 'Succeeded' && bad.phase === 'Aborted' && staging?.phase === 'RolledBack';
  say(`\nSummary:
  ${good.promotionId}  ${good.phase.padEnd(9)} ${good.message}
  ${bad.promotionId}  ${bad.phase.padEnd(9)} staging rolled back: ${staging?.reverts.length ?? 0} revert commit(s) undo its ${staging?.commits.length ?? 0} commit(s); preview keeps 1.2.0 (rollback.scope: stage)`);
  let parked: string | null = null;
  if (park) {
    say(`\n3) ${park}, for you: it goes through preview and staging and waits for an approval at production.`);
    app.set(park, releaseBehaviour(park));
    await promote(
      park,
      () => Promise.resolve(),
      (stage) => stage.stage === 'production' && stage.phase === 'AwaitingApproval',
    );
    parked = promotionWorkflowId(pipeline.name, park);
    say(`${stamp()} ${parked} waits for your approval at production: ${releasePage(parked)}`);
  }
  return { ok, good: good.promotionId, bad: bad.promotionId, parked };
}

/** The demo's story of each release's change, for its source commit's subject. */
function releaseChange(version: string): string {
  return version === '1.2.0' ? 'Cache product pages (introduces a 30 % error rate)' : 'Faster checkout';
}
