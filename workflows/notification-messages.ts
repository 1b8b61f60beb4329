/**
 * The notification workflow of one release (workflows/notification.ts): its id, input, the
 * signal that hands it an event, and the query that shows what it did. Imported by the
 * workflow and by the `notify` activity, which starts it with signalWithStart.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SlackRef, PromotionRoutes } from '../activities/notify-contract.js';
import { NOTIFICATION_EVENT_SIGNAL, NOTIFICATION_WORKFLOW_TYPE, notificationWorkflowId, type NotificationEvent } from '../src/notify/events.js';
import type { GateTimer } from '../src/notify/routes.js';

export { NOTIFICATION_EVENT_SIGNAL, NOTIFICATION_WORKFLOW_TYPE, notificationWorkflowId };

/** What was done about one (event key, target): sent, or given up after the retries. */
export interface SentEntry {
  event: string;
  target: string;
  route: string;
  outcome: 'sent' | 'failed';
  /** Why it failed (no secret: the activities redact). */
  error?: string;
}

export interface NotificationState {
  promotionId: string;
  /** Null until read (the first thing the workflow does). */
  routes: PromotionRoutes | null;
  /** Event keys received, oldest first: a key seen again is dropped. */
  seen: string[];
  /** Keyed `${event key}|${target id}`. */
  sent: Record<string, SentEntry>;
  /** The Slack messages posted per gate (`stage/attempt/gate`), to update when it is decided. */
  slack: Record<string, SlackRef[]>;
  /** Slack targets as written (`#deploys`) → the channel id Slack answered with (threads are per channel id). */
  slackChannels?: Record<string, string>;
  /** The request of each gate still waiting, by gate key (what reminders and escalations repeat). */
  waiting: Record<string, NotificationEvent>;
  timers: GateTimer[];
  /** Received, not handled yet. */
  queue: NotificationEvent[];
  /** The promotion has finished (its last event arrived). */
  finished: boolean;
}

export interface NotificationInput {
  promotionId: string;
  /** Set on continue-as-new. */
  resume?: NotificationState;
  /** History events per run before continuing as new (tests set it low). @default 4000 */
  historyLimit?: number;
}

export const notificationEventSignal = defineSignal<[NotificationEvent]>(NOTIFICATION_EVENT_SIGNAL);
export const notificationStateQuery = defineQuery<NotificationState>('notificationState');
