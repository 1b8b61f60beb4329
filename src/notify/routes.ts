/**
 * Which targets an event goes to, and the reminder and escalation timers an approval request
 * starts (docs/notifications.md). Pure: the notification workflow calls these.
 */
import type { RouteSpec } from '../schema/notifications.js';
import { gateKey, type NotificationEvent, type NotifyEvent } from './events.js';
import type { Target } from './targets.js';

/**
 * One URL of the worker-wide RAMP_NOTIFY_WEBHOOKS, a route that receives every event (unsigned
 * legacy JSON). Named by its position: the URLs may carry tokens and never enter a history.
 */
export interface LegacyTarget {
  channel: 'legacy';
  /** The URL's index in RAMP_NOTIFY_WEBHOOKS, from 0. */
  address: string;
  id: string;
}
export type DeliveryTarget = Target | LegacyTarget;

export function legacyTarget(index: number): LegacyTarget {
  return { channel: 'legacy', address: String(index), id: `legacy:RAMP_NOTIFY_WEBHOOKS[${index}]` };
}

/** One message to send: an event to one target of one route. */
export interface Delivery {
  route: string;
  target: DeliveryTarget;
  /** How long an approval link in it may be used (before the gate's deadline cuts it shorter). */
  linkTtlMs: number;
  /** The worker secret that signs a webhook target. */
  secretRef: string | null;
}

/** Whether `route` subscribes to `event` (its own name or one it also counts as) of its stage. */
export function routeMatches(route: RouteSpec, event: Pick<NotificationEvent, 'event' | 'also' | 'stage'>): boolean {
  const names: NotifyEvent[] = [event.event, ...(event.also ?? [])];
  if (!names.some((n) => route.on.includes(n))) return false;
  if (route.stages === null) return true;
  return event.stage !== null && route.stages.includes(event.stage);
}

/**
 * The deliveries of one event: every matching route's targets, each target once (the first
 * route naming it wins), then each of the worker's `legacy` RAMP_NOTIFY_WEBHOOKS URLs.
 */
export function deliveriesFor(routes: readonly RouteSpec[], event: NotificationEvent, legacy: number): Delivery[] {
  const out: Delivery[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    if (!routeMatches(route, event)) continue;
    for (const target of route.to) {
      if (seen.has(target.id)) continue;
      seen.add(target.id);
      out.push({ route: route.name, target, linkTtlMs: route.linkTtlMs, secretRef: route.secretRef });
    }
  }
  for (let i = 0; i < legacy; i++) out.push({ route: 'RAMP_NOTIFY_WEBHOOKS', target: legacyTarget(i), linkTtlMs: 0, secretRef: null });
  return out;
}

/** A reminder or escalation of one gate by one route, due at `at` (epoch ms). */
export interface GateTimer {
  gate: string;
  route: string;
  kind: 'reminder' | 'escalation';
  at: number;
  /** Reminders sent so far by this timer (its next one is number `sent + 1`). */
  sent: number;
}

/** The timers an approval request starts: per route that asked for it, a reminder and an escalation. */
export function timersFor(routes: readonly RouteSpec[], event: NotificationEvent, nowMs: number): GateTimer[] {
  if (event.event !== 'approval-requested' || event.gate === undefined) return [];
  const gate = gateKey(event.stage, event.gate);
  const timers: GateTimer[] = [];
  for (const route of routes) {
    if (!routeMatches(route, event)) continue;
    if (route.remindAfterMs !== null) timers.push({ gate, route: route.name, kind: 'reminder', at: nowMs + route.remindAfterMs, sent: 0 });
    if (route.escalateAfterMs !== null && route.escalateTo.length > 0) {
      timers.push({ gate, route: route.name, kind: 'escalation', at: nowMs + route.escalateAfterMs, sent: 0 });
    }
  }
  return timers;
}

/** Events after which a gate no longer waits: its decision, the stage moving on, the promotion's end. */
const STAGE_MOVED_ON: readonly NotifyEvent[] = ['promoted', 'rolled-back', 'canary-aborted', 'history-rewritten'];

/** The gates (keys) whose timers `event` cancels, out of those pending. */
export function gatesSettledBy(event: NotificationEvent, pending: readonly string[]): string[] {
  if (event.event === 'promotion-finished') return [...pending];
  if (event.event === 'approval-decided' && event.gate !== undefined) {
    const key = gateKey(event.stage, event.gate);
    return pending.filter((g) => g === key);
  }
  if (STAGE_MOVED_ON.includes(event.event) || (event.also ?? []).some((e) => STAGE_MOVED_ON.includes(e))) {
    return pending.filter((g) => g.startsWith(`${event.stage ?? '-'}/`));
  }
  return [];
}

/** The event a due timer sends: a reminder to the route's `to`, an escalation to its `escalateTo`. */
export function timerEvent(timer: GateTimer, request: NotificationEvent, waitedMs: number): NotificationEvent {
  const waited = formatWait(waitedMs);
  const where = request.stage ?? request.pipeline;
  if (timer.kind === 'reminder') {
    return {
      ...request,
      key: `${request.key}/reminder/${timer.route}/${timer.sent + 1}`,
      event: 'approval-reminder',
      kind: 'approval-reminder',
      message: `${where} ${request.gate?.name ?? 'gate'} still waits for approval after ${waited}`,
    };
  }
  return {
    ...request,
    key: `${request.key}/escalation/${timer.route}`,
    event: 'approval-escalated',
    kind: 'approval-escalated',
    message: `${where} ${request.gate?.name ?? 'gate'} has waited ${waited} for approval without a decision`,
  };
}

/** The deliveries of a timer's event: only its route's targets (or escalation targets). */
export function timerDeliveries(routes: readonly RouteSpec[], timer: GateTimer): Delivery[] {
  const route = routes.find((r) => r.name === timer.route);
  if (!route) return [];
  const targets = timer.kind === 'reminder' ? route.to : route.escalateTo;
  return targets.map((target) => ({ route: route.name, target, linkTtlMs: route.linkTtlMs, secretRef: route.secretRef }));
}

function formatWait(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${Math.max(minutes, 0)}m`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
  return `${Math.floor(hours / 24)}d${hours % 24 === 0 ? '' : `${hours % 24}h`}`;
}
