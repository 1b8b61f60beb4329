/**
 * `spec.notifications`: which events go to which channels (docs/notifications.md). Secrets are
 * never written here: a Teams target names the worker secret holding its Workflows URL, a route
 * with webhook targets names the secret that signs them, the Slack bot token is a worker secret.
 */
import { z } from 'zod';
import { NOTIFY_EVENTS } from '../notify/events.js';
import { parseTarget } from '../notify/targets.js';
import { Duration, Name } from './common.js';

/** The link TTL a route gets unless it says otherwise (never beyond the gate's own deadline). */
export const DEFAULT_LINK_TTL = '24h';
const ALL_EVENTS = '*';

const SecretRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: 'a secretRef is a worker secret name: letters, digits, ".", "_" and "-"' });

export const Target = z
  .string()
  .transform((text, ctx) => {
    const parsed = parseTarget(text);
    if (parsed.ok) return parsed.target;
    ctx.issues.push({ code: 'custom', message: parsed.error, input: text });
    return z.NEVER;
  })
  .describe('slack:#channel (or a channel id), teams:<secretRef of the Workflows webhook URL>, email:<address>, webhook:<http(s) URL>.');

export const Route = z
  .strictObject({
    name: Name.optional().describe('For logs and the sent-set; default route-<n>.'),
    on: z
      .array(z.enum([ALL_EVENTS, ...NOTIFY_EVENTS]))
      .min(1, { error: 'a route names at least one event (or "*")' })
      .describe(`Events: ${NOTIFY_EVENTS.join(', ')}, or '*' for all.`),
    to: z.array(Target).min(1, { error: 'a route sends to at least one target' }).describe('Where the events go.'),
    stages: z.array(Name).optional().describe('Only events of these stages (default: every stage, and events of no stage).'),
    remindAfter: Duration.optional().describe('Remind `to` of a waiting approval this long after it was requested, and again every time as long.'),
    escalateAfter: Duration.optional().describe('After this long without a decision, tell `escalateTo` (once).'),
    escalateTo: z.array(Target).default([]).describe('Who is told when an approval waits escalateAfter.'),
    linkTtl: Duration.prefault(DEFAULT_LINK_TTL).describe('How long an e-mailed approval link may be used (never beyond the gate’s timeout).'),
    secretRef: SecretRef.optional().describe('The worker secret that signs this route’s webhook targets (X-Ramp-Signature: sha256=HMAC).'),
  })
  .superRefine((route, ctx) => {
    const asksApprovals = route.on.includes(ALL_EVENTS) || route.on.includes('approval-requested');
    if ((route.remindAfter !== undefined || route.escalateAfter !== undefined) && !asksApprovals) {
      ctx.addIssue({
        code: 'custom',
        path: [route.remindAfter !== undefined ? 'remindAfter' : 'escalateAfter'],
        message: 'reminders and escalations follow an approval request: add approval-requested to on',
      });
    }
    if (route.escalateAfter !== undefined && route.escalateTo.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['escalateTo'], message: 'escalateAfter needs escalateTo: who is told when nobody decided' });
    }
    if (route.escalateAfter === undefined && route.escalateTo.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['escalateAfter'], message: 'escalateTo needs escalateAfter: how long an approval waits before they are told' });
    }
    if (route.secretRef === undefined) {
      const index = [...route.to, ...route.escalateTo].findIndex((t) => t.channel === 'webhook');
      if (index >= 0) {
        ctx.addIssue({
          code: 'custom',
          path: index < route.to.length ? ['to', index] : ['escalateTo', index - route.to.length],
          message: 'a webhook target needs the route’s secretRef: the worker secret its body is signed with (HMAC-SHA256)',
        });
      }
    }
  });

export const Notifications = z
  .strictObject({
    slack: z
      .strictObject({
        tokenRef: SecretRef.default('slack-bot-token').describe('The worker secret holding the Slack bot token (xoxb-…).'),
      })
      .prefault({})
      .describe('The Slack app ramp posts as.'),
    routes: z.array(Route).default([]).describe('Each route sends its events to its targets.'),
  })
  .transform(({ slack, routes }) => ({
    slackTokenRef: slack.tokenRef,
    routes: routes.map(({ name, on, stages, remindAfter, escalateAfter, linkTtl, secretRef, ...route }, index) => ({
      ...route,
      name: name ?? `route-${index + 1}`,
      on: on.includes(ALL_EVENTS) ? [...NOTIFY_EVENTS] : [...new Set(on as (typeof NOTIFY_EVENTS)[number][])],
      stages: stages ?? null,
      remindAfterMs: remindAfter ?? null,
      escalateAfterMs: escalateAfter ?? null,
      linkTtlMs: linkTtl,
      secretRef: secretRef ?? null,
    })),
  }))
  .describe('Which events go to which channels (docs/notifications.md).');

export type NotificationsSpec = z.output<typeof Notifications>;
export type RouteSpec = NotificationsSpec['routes'][number];
