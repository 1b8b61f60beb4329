/**
 * The activities of the notification workflow (workflows/notification.ts): its routes, one
 * delivery to one target, and the update of a Slack message once its gate is decided.
 * Workflows import it as types only.
 */
import type { NotificationEvent } from '../src/notify/events.js';
import type { Delivery } from '../src/notify/routes.js';
import type { RouteSpec } from '../src/schema/notifications.js';

/** A Slack message ramp posted: where it is, to update or to answer in its thread. */
export interface SlackRef {
  channel: string;
  ts: string;
}

/** The routes of one promotion: its pipeline's (as pinned when it started) and whether the worker has RAMP_NOTIFY_WEBHOOKS. */
export interface PromotionRoutes {
  routes: RouteSpec[];
  /** The worker secret with the Slack bot token (the pipeline's `notifications.slack.tokenRef`). */
  slackTokenRef: string;
  /** How many RAMP_NOTIFY_WEBHOOKS URLs the worker has (each a target of every event). */
  legacy: number;
  /** Why the pipeline's routes could not be read, when they could not (the legacy route still works). */
  problem?: string;
}

export interface DeliveryRequest {
  event: NotificationEvent;
  delivery: Delivery;
  slackTokenRef: string;
  /** Slack: answer in this message's thread instead of posting a new message. */
  thread?: SlackRef;
}

/** What a delivery left behind: the Slack message it posted, if any. */
export interface DeliveryResult {
  slack?: SlackRef;
}

export interface NotificationActivities {
  /** The routes for a promotion (never throws: without them, only the worker-wide route). */
  notificationRoutes(request: { promotionId: string }): Promise<PromotionRoutes>;
  /** Sends one event to one target; throws (retried with back-off) when the channel does not take it. */
  deliverNotification(request: DeliveryRequest): Promise<DeliveryResult>;
  /** Replaces a Slack message that asked for a decision with its outcome (chat.update). */
  updateSlackMessage(request: { event: NotificationEvent; message: SlackRef; slackTokenRef: string }): Promise<void>;
}
