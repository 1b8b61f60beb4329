/**
 * The stage's outbound calls (docs/webhooks.md): Flagger's webhook types at their moments —
 * gates that fail the stage, confirmations that hold it, rollback requests, and tells — and the
 * notifications people get.
 */
import { condition, isCancellation, log, proxyActivities } from '@temporalio/workflow';
import type { Notification, RampActivities } from '../activities/contract.js';
import type { WebhookPayload } from '../activities/webhooks.js';
import { formatDuration } from '../src/domain/duration.js';
import { FailureReason, PauseReason, StagePhase } from '../src/domain/phases.js';
import type { StageSpec, WebhookSpec } from '../src/schema/pipeline.js';
import { notification, webhook } from './activity-options.js';
import { describeFailure, StageStop, type StageRecord } from './stage-record.js';

const hooks = proxyActivities<RampActivities>(webhook);
const notifier = proxyActivities<RampActivities>(notification);

export class StageWebhooks {
  constructor(private readonly record: StageRecord) {}

  private of(type: WebhookSpec['type']): WebhookSpec[] {
    // `webhooks` is absent in specs pinned before webhooks existed.
    return ((this.record.input.stage as Partial<StageSpec>).webhooks ?? []).filter((h) => h.type === type);
  }

  private payload(message?: string): WebhookPayload {
    const { pipeline, stage, promotionId, version } = this.record.input;
    return { pipeline, stage: stage.name, promotionId, version, phase: this.record.status.phase, ...(message ? { message } : {}) };
  }

  /** pre-rollout and rollout hooks: a hook that does not answer 2xx (after its retries) fails the stage. */
  async gate(type: 'pre-rollout' | 'rollout'): Promise<void> {
    for (const hook of this.of(type)) {
      const answer = await hooks.callWebhook({ hook, payload: this.payload() });
      this.record.event('webhook', `${type} webhook ${hook.name}: ${answer.ok ? `HTTP ${answer.status}` : answer.error}`);
      if (!answer.ok) throw new StageStop(FailureReason.WebhookFailed, `${type} webhook ${hook.name} failed: ${answer.error}`);
    }
  }

  /** confirm-* hooks: wait, asking again every interval, until every one answers 2xx. */
  async confirm(type: 'confirm-rollout' | 'confirm-traffic-increase' | 'confirm-promotion', what: string): Promise<void> {
    const pending = this.of(type);
    let waited = false;
    while (pending.length > 0) {
      for (const hook of [...pending]) {
        const answer = await hooks.callWebhook({ hook, payload: this.payload() });
        if (answer.ok) {
          pending.splice(pending.indexOf(hook), 1);
          this.record.event('webhook', `${type} webhook ${hook.name} confirmed ${what}`);
        } else if (!waited) {
          this.record.event(
            'webhook',
            `${type} webhook ${hook.name} has not confirmed ${what} yet (${answer.error}); asking again every ${formatDuration(hook.intervalMs)}`,
          );
        }
      }
      if (pending.length === 0) break;
      if (!waited) this.record.facts.waitStarted('webhook');
      waited = true;
      const previous = { phase: this.record.status.phase, message: this.record.status.message, reason: this.record.status.pauseReason };
      this.record.setPhase(
        StagePhase.Paused,
        `waiting for ${type} webhook(s) ${pending.map((h) => h.name).join(', ')} to confirm ${what}`,
        PauseReason.AwaitingConfirmation,
      );
      await condition(() => this.record.requests.abort !== null, Math.min(...pending.map((h) => h.intervalMs)));
      if (this.record.requests.abort !== null) this.record.facts.waitEnded('webhook');
      this.record.checkpointAbort();
      this.record.setPhase(previous.phase, previous.message, previous.reason);
    }
    if (waited) this.record.facts.waitEnded('webhook');
  }

  /** rollback hooks: asked between steps; a 2xx answer aborts the canary. */
  async rollback(): Promise<void> {
    for (const hook of this.of('rollback')) {
      const answer = await hooks.callWebhook({ hook, payload: this.payload() });
      if (answer.ok) throw new StageStop(FailureReason.WebhookFailed, `rollback webhook ${hook.name} asked to roll back (HTTP ${answer.status})`);
    }
  }

  /** post-rollout and event hooks only tell; their answers never change the stage. */
  async tell(type: 'post-rollout' | 'event', message: string): Promise<void> {
    for (const hook of this.of(type)) {
      const answer = await hooks.callWebhook({ hook, payload: this.payload(message) });
      if (!answer.ok) log.warn(`${type} webhook ${hook.name}: ${answer.error ?? 'failed'}`);
    }
  }

  /** A canary that had started (written something) and stopped on a failure. */
  private canaryAborted(): boolean {
    const { status, input } = this.record;
    return input.stage.strategy.kind === 'canary' && status.failure !== null && status.commits.length > 0;
  }

  /**
   * A notification (routed by the pipeline's notifications and RAMP_NOTIFY_WEBHOOKS, through the
   * release's notification workflow) and the stage's event hooks; never fails the stage.
   */
  async notify(kind: StageNotification, message: string, details: Pick<Notification, 'gate' | 'decision' | 'also'> = {}): Promise<void> {
    try {
      await notifier.notify({
        kind,
        promotionId: this.record.input.promotionId,
        pipeline: this.record.input.pipeline,
        stage: this.record.input.stage.name,
        version: this.record.input.version,
        message,
        ...(kind === 'stage-rolled-back' && this.canaryAborted() ? { also: ['canary-aborted' as const] } : {}),
        ...details,
      });
      await this.tell('event', `${kind}: ${message}`);
    } catch (error) {
      if (isCancellation(error)) throw error;
      log.warn('notification failed', { error: describeFailure(error) });
    }
  }
}

/** What a stage tells people about. */
export type StageNotification =
  'approval-waiting' | 'approval-reminder' | 'approval-decided' | 'analysis-inconclusive' | 'stage-promoted' | 'stage-rolled-back' | 'history-rewritten';
