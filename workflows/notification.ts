/**
 * The notification workflow of one release, `notify:<promotionId>` (docs/notifications.md).
 * The `notify` activity starts it, or signals the running one, with each event; it sends each
 * event to the targets of the routes that subscribe to it — each (event key, target) once, so
 * an activity retry or a worker restart never sends twice — keeps the Slack messages it posted
 * per gate and replaces them with the outcome once the gate is decided, and reminds and
 * escalates waiting approvals on timers. A delivery that fails after its retries is recorded
 * and dropped: nothing here can fail a stage or the promotion.
 */
import { ApplicationFailure } from '@temporalio/common';
import { condition, continueAsNew, isCancellation, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { NotificationActivities, SlackRef } from '../activities/notify-contract.js';
import { gateKey, type NotificationEvent } from '../src/notify/events.js';
import { deliveriesFor, gatesSettledBy, timerDeliveries, timerEvent, timersFor, type Delivery } from '../src/notify/routes.js';
import { notificationEventSignal, notificationStateQuery, type NotificationInput, type NotificationState } from './notification-messages.js';

const config = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Deliveries retry with back-off for a few minutes, then are recorded as failed. */
const channels = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: ['NotificationConfig'],
  },
});

/** After the promotion's last event: how long late signals (an activity retried) are still deduplicated. */
const LINGER_MS = 2 * 60_000;
/** With nothing waiting and no event for this long, the workflow ends (a later event starts it again). */
const IDLE_MS = 24 * 60 * 60_000;
/** Seen keys kept across continue-as-new (the newest). */
const SEEN_KEPT = 2_000;
const HISTORY_LIMIT = 4_000;

function freshState(promotionId: string): NotificationState {
  return { promotionId, routes: null, seen: [], sent: {}, slack: {}, waiting: {}, timers: [], queue: [], finished: false };
}

function messageOf(error: unknown): string {
  if (error instanceof ApplicationFailure || error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}

export async function notificationWorkflow(input: NotificationInput): Promise<NotificationState> {
  const state = input.resume ?? freshState(input.promotionId);
  const seen = new Set(state.seen);
  setHandler(notificationEventSignal, (event) => {
    if (seen.has(event.key)) return;
    seen.add(event.key);
    state.seen.push(event.key);
    state.queue.push(event);
  });
  setHandler(notificationStateQuery, () => state);

  if (state.routes === null) {
    try {
      state.routes = await config.notificationRoutes({ promotionId: state.promotionId });
    } catch (error) {
      if (isCancellation(error)) throw error;
      state.routes = { routes: [], slackTokenRef: 'slack-bot-token', legacy: 0, problem: messageOf(error) };
    }
    if (state.routes.problem) log.warn(`notifications of ${state.promotionId}: ${state.routes.problem}`);
  }
  const routes = state.routes;

  async function deliver(event: NotificationEvent, delivery: Delivery): Promise<void> {
    const sentKey = `${event.key}|${delivery.target.id}`;
    if (state.sent[sentKey]) return;
    const gate = event.gate ? gateKey(event.stage, event.gate) : null;
    // A gate's later messages in Slack answer in the thread of its first message in that channel.
    const thread =
      gate !== null && event.event !== 'approval-requested' && delivery.target.channel === 'slack'
        ? (state.slack[gate] ?? []).find((m) => m.channel === delivery.target.address || m.channel === state.slackChannels?.[delivery.target.address])
        : undefined;
    try {
      const result = await channels.deliverNotification({ event, delivery, slackTokenRef: routes.slackTokenRef, ...(thread ? { thread } : {}) });
      state.sent[sentKey] = { event: event.key, target: delivery.target.id, route: delivery.route, outcome: 'sent' };
      if (result.slack && gate !== null) {
        (state.slack[gate] ??= []).push(result.slack);
        (state.slackChannels ??= {})[delivery.target.address] = result.slack.channel;
      }
    } catch (error) {
      if (isCancellation(error)) throw error;
      state.sent[sentKey] = { event: event.key, target: delivery.target.id, route: delivery.route, outcome: 'failed', error: messageOf(error) };
      log.warn(`notification ${event.event} to ${delivery.target.id} failed after its retries: ${messageOf(error)}`);
    }
  }

  async function updateSlack(event: NotificationEvent, gate: string): Promise<void> {
    await Promise.all(
      (state.slack[gate] ?? []).map(async (message: SlackRef) => {
        const sentKey = `${event.key}|slack-update:${message.channel}/${message.ts}`;
        if (state.sent[sentKey]) return;
        try {
          await channels.updateSlackMessage({ event, message, slackTokenRef: routes.slackTokenRef });
          state.sent[sentKey] = { event: event.key, target: `slack-update:${message.channel}/${message.ts}`, route: 'slack-update', outcome: 'sent' };
        } catch (error) {
          if (isCancellation(error)) throw error;
          state.sent[sentKey] = {
            event: event.key,
            target: `slack-update:${message.channel}/${message.ts}`,
            route: 'slack-update',
            outcome: 'failed',
            error: messageOf(error),
          };
        }
      }),
    );
  }

  async function handle(event: NotificationEvent): Promise<void> {
    const settled = gatesSettledBy(event, Object.keys(state.waiting));
    for (const gate of settled) {
      delete state.waiting[gate];
      state.timers = state.timers.filter((t) => t.gate !== gate);
    }
    if (event.event === 'approval-requested' && event.gate) {
      state.waiting[gateKey(event.stage, event.gate)] = event;
      state.timers.push(...timersFor(routes.routes, event, Date.now()));
    }
    if (event.event === 'promotion-finished') state.finished = true;
    const work = deliveriesFor(routes.routes, event, routes.legacy).map((d) => deliver(event, d));
    if (event.event === 'approval-decided' && event.gate) work.push(updateSlack(event, gateKey(event.stage, event.gate)));
    // A gate left undecided (the stage rolled back, the promotion ended): its buttons go too.
    else for (const gate of settled) work.push(updateSlack(event, gate));
    await Promise.all(work);
  }

  async function fireDueTimers(): Promise<void> {
    const now = Date.now();
    for (const timer of state.timers.filter((t) => t.at <= now)) {
      const request = state.waiting[timer.gate];
      if (!request) continue;
      const event = timerEvent(timer, request, now - Date.parse(request.at));
      await Promise.all(timerDeliveries(routes.routes, timer).map((d) => deliver(event, d)));
      const every = routes.routes.find((r) => r.name === timer.route)?.remindAfterMs ?? null;
      if (timer.kind === 'reminder' && every !== null) {
        timer.sent += 1;
        timer.at += every;
      } else {
        timer.at = Number.POSITIVE_INFINITY;
      }
    }
    state.timers = state.timers.filter((t) => Number.isFinite(t.at));
  }

  for (;;) {
    while (state.queue.length > 0) await handle(state.queue.shift()!);
    await fireDueTimers();
    if (state.queue.length > 0) continue;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? HISTORY_LIMIT)) {
      state.seen = state.seen.slice(-SEEN_KEPT);
      await continueAsNew<typeof notificationWorkflow>({
        promotionId: state.promotionId,
        resume: state,
        ...(input.historyLimit ? { historyLimit: input.historyLimit } : {}),
      });
    }
    const next = state.timers.length > 0 ? Math.min(...state.timers.map((t) => t.at)) : null;
    const waitingGates = Object.keys(state.waiting).length > 0;
    let timeout: number | undefined;
    if (state.finished) timeout = LINGER_MS;
    else if (next !== null) timeout = Math.max(1, next - Date.now());
    else if (!waitingGates) timeout = IDLE_MS;
    const arrived = timeout === undefined ? await condition(() => state.queue.length > 0) : await condition(() => state.queue.length > 0, timeout);
    if (arrived) continue;
    if (state.finished || (next === null && !waitingGates)) return state;
  }
}
