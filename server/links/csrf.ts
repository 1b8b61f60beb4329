/**
 * The confirm page's CSRF token: an HMAC of the browser session and the link's id, under a key
 * derived (HKDF) from the session key (server/auth/session-keys.ts), so every replica computes
 * the same token and nothing is stored. A forged cross-site POST has neither the session's
 * value (HttpOnly) nor the key; the token is also bound to the link, so one page's token does
 * not carry to another link.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SessionKeys } from '../auth/session-keys.js';

export type CsrfKey = Uint8Array;

export function linkCsrfKey(keys: SessionKeys): CsrfKey {
  return new Uint8Array(hkdfSync('sha256', keys.session, Buffer.from('ramp approval links'), 'ramp approval link csrf v1', 32));
}

/** The token the confirm page carries for this session and link. */
export function linkCsrfToken(key: CsrfKey, session: string, linkId: string): string {
  return createHmac('sha256', key).update(`${session}\u0000${linkId}`).digest('base64url');
}

/** Whether `token` is this session's token for this link (constant time). */
export function linkCsrfValid(key: CsrfKey, session: string, linkId: string, token: string | undefined): boolean {
  if (typeof token !== 'string' || token.length > 100) return false;
  const want = Buffer.from(linkCsrfToken(key, session, linkId));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * Why a form POST does not come from this server's own page (the Origin, else the Referer,
 * must be `origin`), or null. Pure.
 */
export function originRefusal(origin: string, headers: { origin?: string | undefined; referer?: string | undefined }): string | null {
  if (headers.origin !== undefined && headers.origin !== 'null') {
    return headers.origin === origin ? null : `the request came from ${headers.origin.slice(0, 100)}, not from ${origin}`;
  }
  if (headers.referer !== undefined) {
    let from: string;
    try {
      from = new URL(headers.referer).origin;
    } catch {
      return 'the request names no origin this server can read';
    }
    return from === origin ? null : `the request came from ${from}, not from ${origin}`;
  }
  return 'the request names no origin (no Origin or Referer header): a decision is taken only from this server’s own confirm page';
}
