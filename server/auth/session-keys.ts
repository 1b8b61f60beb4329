/**
 * The keys of browser sessions, derived from the server's signing key (RAMP_SERVER_SIGNING_KEY_FILE)
 * with HKDF-SHA256, one per use: every replica holds the same signing key, so every replica
 * accepts every session, and nothing is stored.
 *
 * Why derived symmetric keys, not the Ed25519 key itself: only servers read these cookies, so
 * nothing needs a public half; a session signed with the decision key would be a second kind of
 * token under the key whose public half the workers trust (key separation); and the login state
 * holds the PKCE verifier and nonce, which are encrypted (JWE dir + A256GCM), not only signed.
 */
import { hkdfSync } from 'node:crypto';
import type { DecisionSigningKey } from '../../src/identity/decision-signature.js';

export interface SessionKeys {
  /** HMAC key of the `ramp_session` JWS (HS256). */
  session: Uint8Array;
  /** AES-256-GCM key of the `ramp_login` JWE (the login in progress). */
  login: Uint8Array;
}

export function sessionKeys(signingKey: DecisionSigningKey): SessionKeys {
  const d = signingKey.jwk.d;
  if (typeof d !== 'string' || d === '') throw new Error('the server signing key has no private part (d): browser sessions need the private JWK');
  const secret = Buffer.from(d, 'base64url');
  const derive = (info: string) => new Uint8Array(hkdfSync('sha256', secret, Buffer.from(`ramp:${signingKey.kid}`), info, 32));
  return { session: derive('ramp browser session v1'), login: derive('ramp browser login state v1') };
}
