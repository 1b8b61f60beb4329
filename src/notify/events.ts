/**
 * What ramp tells people about (docs/notifications.md): the events a route subscribes to, and
 * what a workflow hands the notification workflow. Pure data: workflows import it.
 */

export const NOTIFY_EVENTS = [
  'approval-requested',
  'approval-reminder',
  'approval-escalated',
  'approval-decided',
  'canary-aborted',
  'rolled-back',
  'promoted',
  'analysis-inconclusive',
  'drift-detected',
  'drift-reverted',
  'history-rewritten',
  'promotion-finished',
] as const;

export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** The gate an approval event is about: enough to sign a link or build a Slack button for it. */
export interface GateRef {
  /** `gate` (before the write) or `step <n>`. */
  name: string;
  attempt: number;
  /** The commit the gate is bound to (null in records from before bindings). */
  commit: string | null;
  /** When the gate times out (ISO-8601), or null: links never outlive it. */
  deadline: string | null;
  /** Who may decide, groups expanded (the record's `eligible`). */
  eligible: string[];
}

/** How an approval gate was decided. */
export interface GateDecision {
  outcome: 'approved' | 'rejected' | 'timed-out';
  /** Who decided (approvers, or the one who rejected); empty for a timeout. */
  by: string[];
  comment: string;
  /** Where the last decision was taken: cli, web, link, slack (absent: not recorded). */
  channel?: string;
}

/** One event as the notification workflow receives it (signal `notificationEvent`). */
export interface NotificationEvent {
  /** Dedupe key: the same key is delivered at most once per route target. */
  key: string;
  event: NotifyEvent;
  /** Further events this one also counts as for routing (a canary rolled back is also `canary-aborted`). */
  also?: NotifyEvent[];
  /** The kind the legacy RAMP_NOTIFY_WEBHOOKS payload carries (`approval-waiting`, `stage-promoted`, ...). */
  kind: string;
  promotionId: string;
  pipeline: string;
  stage: string | null;
  version: string;
  message: string;
  /** ISO-8601, when it happened. */
  at: string;
  gate?: GateRef;
  decision?: GateDecision;
}

/** `production/1/gate`: one approval gate of one stage attempt (Slack messages and timers are kept per gate). */
export function gateKey(stage: string | null, gate: GateRef): string {
  return `${stage ?? '-'}/${gate.attempt}/${gate.name}`;
}

/** The notification workflow's type and the signal that hands it an event (workflows/notification-messages.ts). */
export const NOTIFICATION_WORKFLOW_TYPE = 'notificationWorkflow';
export const NOTIFICATION_EVENT_SIGNAL = 'notificationEvent';

/** `notify:web-1.4.2-…`: one per promotion (or drift watch). */
export function notificationWorkflowId(promotionId: string): string {
  return `notify:${promotionId}`;
}
