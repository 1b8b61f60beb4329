/**
 * `notify`: a workflow tells people something (docs/notifications.md). The activity hands the
 * event to the release's notification workflow (`notify:<promotionId>`, workflows/notification.ts)
 * with signalWithStart — starting it with the first event — and returns: the deliveries happen
 * there, each (event key, target) once. The event's key is the caller's, or this activity
 * call's own identity (workflow, run, activity id), which a retry keeps: a retried call never
 * sends twice. Best effort: the callers log a failure and carry on.
 */
import { activityInfo, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import {
  NOTIFICATION_EVENT_SIGNAL,
  NOTIFICATION_WORKFLOW_TYPE,
  notificationWorkflowId,
  type NotificationEvent,
  type NotifyEvent,
} from '../src/notify/events.js';
import type { Notification } from './contract.js';

export interface NotifyDeps {
  client: Client;
}

/** Today's kinds as route events (a kind that is an event name is itself). */
export const EVENT_OF_KIND: Record<Notification['kind'], NotifyEvent> = {
  'approval-waiting': 'approval-requested',
  'approval-reminder': 'approval-reminder',
  'approval-decided': 'approval-decided',
  'analysis-inconclusive': 'analysis-inconclusive',
  'stage-promoted': 'promoted',
  'stage-rolled-back': 'rolled-back',
  'history-rewritten': 'history-rewritten',
  'promotion-finished': 'promotion-finished',
  'drift-detected': 'drift-detected',
  'drift-reverted': 'drift-reverted',
};

/** The event the notification workflow receives for a call of `notify`. */
export function toEvent(notification: Notification, callKey: string, at: string): NotificationEvent {
  const { kind, promotionId, pipeline, stage, version, message, gate, decision, also, key } = notification;
  return {
    key: key ?? callKey,
    event: EVENT_OF_KIND[kind],
    ...(also && also.length > 0 ? { also } : {}),
    kind,
    promotionId,
    pipeline,
    stage,
    version,
    message,
    at,
    ...(gate ? { gate } : {}),
    ...(decision ? { decision } : {}),
  };
}

export function createNotifyActivities({ client }: NotifyDeps) {
  return {
    async notify(notification: Notification): Promise<void> {
      const info = activityInfo();
      const run = info.workflowExecution;
      const callKey = `${run?.workflowId ?? 'unknown'}/${run?.runId ?? 'unknown'}/${info.activityId}`;
      const event = toEvent(notification, callKey, new Date().toISOString());
      log.info(`notify ${event.event}: ${notification.message}`, { promotionId: notification.promotionId });
      // workflows/notification-messages.ts NotificationInput (activities may not import workflows).
      const input = { promotionId: notification.promotionId };
      await client.workflow.signalWithStart(NOTIFICATION_WORKFLOW_TYPE, {
        workflowId: notificationWorkflowId(notification.promotionId),
        taskQueue: info.taskQueue,
        args: [input],
        signal: NOTIFICATION_EVENT_SIGNAL,
        signalArgs: [event],
      });
    },
  };
}
