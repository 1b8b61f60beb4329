/**
 * Webhook gates, with Flagger's hook types and meanings (docs/webhooks.md):
 * confirm-* hooks wait until the receiver answers 2xx; pre-rollout and rollout hooks fail the
 * canary when they do not; rollback aborts it when it does; post-rollout and event only tell.
 */
import { z } from 'zod';
import { Duration, Name } from './common.js';

export const WEBHOOK_TYPES = [
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-traffic-increase',
  'confirm-promotion',
  'post-rollout',
  'rollback',
  'event',
] as const;

export const Webhook = z
  .strictObject({
    name: Name,
    type: z.enum(WEBHOOK_TYPES).describe('When the hook is called and what its answer means.'),
    url: z.url({ protocol: /^https?$/, error: 'a webhook url is an http(s) URL' }),
    timeout: Duration.prefault('10s').describe('How long one call may take.'),
    retries: z.int().min(0).default(2).describe('Extra attempts after a failed call (not for confirm-* hooks, which keep asking).'),
    interval: Duration.prefault('10s').describe('How often a confirm-* hook is asked again while it does not answer 2xx.'),
    metadata: z.record(z.string(), z.string()).default({}).describe('Sent as `metadata` in the request body.'),
    secretRef: z.string().min(1).optional().describe('Worker-side secret that signs the body (X-Ramp-Signature: sha256=HMAC).'),
  })
  .transform(({ timeout, interval, secretRef, ...hook }) => ({ ...hook, timeoutMs: timeout, intervalMs: interval, secretRef: secretRef ?? null }));
