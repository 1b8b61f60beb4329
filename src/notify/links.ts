/**
 * The approval link an e-mail carries for its recipient (docs/notifications.md): signed with the
 * worker's link key (RAMP_LINK_SIGNING_KEY_FILE), bound to the gate, valid for the route's TTL
 * but never beyond the gate's deadline. Node only.
 */
import { createHash } from 'node:crypto';
import { signApprovalLink } from '../identity/approval-link.js';
import type { DecisionSigningKey } from '../identity/decision-signature.js';
import type { NotificationEvent } from './events.js';

/** When a link issued at `nowMs` expires: the TTL, cut at the gate's deadline; null when the gate is already past it. */
export function linkExpiry(nowMs: number, ttlMs: number, deadline: string | null): number | null {
  const end = deadline === null ? nowMs + ttlMs : Math.min(nowMs + ttlMs, Date.parse(deadline));
  return end > nowMs ? end : null;
}

/** The same id for the same event and recipient: an activity retry signs the same link (it decides once anyway). */
export function linkIdFor(event: NotificationEvent, approver: string): string {
  return createHash('sha256').update(`${event.key}\n${approver}`).digest('base64url').slice(0, 32);
}

/** The token for `approver`, or null when the event names no gate or the gate is past its deadline. */
export async function approvalLinkToken(
  event: NotificationEvent,
  approver: string,
  ttlMs: number,
  key: DecisionSigningKey,
  nowMs: number = Date.now(),
): Promise<string | null> {
  if (!event.gate || event.stage === null) return null;
  const expires = linkExpiry(nowMs, ttlMs, event.gate.deadline);
  if (expires === null) return null;
  return signApprovalLink(
    {
      linkId: linkIdFor(event, approver),
      approver,
      target: {
        promotionId: event.promotionId,
        pipeline: event.pipeline,
        version: event.version,
        stage: event.stage,
        gate: event.gate.name,
        attempt: event.gate.attempt,
        commit: event.gate.commit,
      },
      issuedAt: new Date(nowMs).toISOString(),
      expiresAt: new Date(expires).toISOString(),
    },
    key,
  );
}
