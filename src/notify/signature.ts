/**
 * The signature of a notification webhook (docs/notifications.md "Verifying a webhook"):
 * `X-Ramp-Signature: sha256=<hex HMAC-SHA256 of the exact body>` with the route's secret, and
 * `X-Ramp-Timestamp: <unix seconds>`, which equals the body's `sentAt` — so the signature covers
 * the time too, and a receiver refuses old replays. Node only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Ramp-Signature';
export const TIMESTAMP_HEADER = 'X-Ramp-Timestamp';
export const DELIVERY_HEADER = 'X-Ramp-Delivery';
/** How far a receiver should accept a timestamp from its own clock. */
export const SIGNATURE_TOLERANCE_S = 300;

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** What a receiver does: recompute, compare in constant time, check the timestamp and that the body says the same. */
export function verifyBody(
  secret: string,
  body: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  nowS: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: `missing ${SIGNATURE_HEADER} or ${TIMESTAMP_HEADER}` };
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(headers.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'the signature does not match the body' };
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > SIGNATURE_TOLERANCE_S) return { ok: false, reason: 'the timestamp is not within 5 minutes of now' };
  let sentAt: unknown;
  try {
    sentAt = (JSON.parse(body) as { sentAt?: unknown }).sentAt;
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (typeof sentAt !== 'string' || Math.floor(Date.parse(sentAt) / 1000) !== ts)
    return { ok: false, reason: 'the timestamp header differs from the body’s sentAt' };
  return { ok: true };
}
