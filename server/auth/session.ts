/**
 * The two cookies of browser sessions, and the checks around them:
 * - `ramp_login`: the login in progress (PKCE verifier, state, nonce, return path), a JWE the
 *   server encrypted, for 10 minutes, sent back by the provider's redirect to /auth/callback.
 * - `ramp_session`: who logged in, a JWS the server signed: { actor, exp = min(access token's exp, 8 h) }.
 * Both keys come from the server's signing key (session-keys.ts): any replica accepts them.
 */
import { EncryptJWT, SignJWT, errors as joseErrors, jwtDecrypt, jwtVerify } from 'jose';
import type { Actor } from '../../src/identity/actor.js';
import { AuthenticationError } from '../../src/identity/authenticator.js';
import type { SessionKeys } from './session-keys.js';

export const SESSION_COOKIE = 'ramp_session';
export const LOGIN_COOKIE = 'ramp_login';
export const LOGIN_TTL_S = 10 * 60;
export const SESSION_MAX_S = 8 * 60 * 60;
const SESSION_TYPE = 'ramp-session+jwt';
const ISSUER = 'ramp-server';
const LOGIN_HINT = 'log in again at /auth/login';

export interface LoginState {
  verifier: string;
  state: string;
  nonce: string;
  /** Where to go after the login: a same-origin path. */
  returnTo: string;
}

export async function sealLoginState(login: LoginState, keys: SessionKeys, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new EncryptJWT({ ...login })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + LOGIN_TTL_S)
    .encrypt(keys.login);
}

/** The login in progress, or null when the cookie is missing, altered or older than 10 minutes. */
export async function openLoginState(cookie: string | undefined, keys: SessionKeys): Promise<LoginState | null> {
  if (!cookie) return null;
  try {
    const { payload } = await jwtDecrypt(cookie, keys.login, { issuer: ISSUER, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    const { verifier, state, nonce, returnTo } = payload as Partial<LoginState>;
    if (typeof verifier !== 'string' || typeof state !== 'string' || typeof nonce !== 'string' || typeof returnTo !== 'string') return null;
    return { verifier, state, nonce, returnTo };
  } catch {
    return null;
  }
}

/** The session of `actor` until `exp` (seconds), bounded to 8 hours from `now`. */
export async function signSession(
  actor: Actor,
  accessTokenExp: number | undefined,
  keys: SessionKeys,
  now = new Date(),
): Promise<{ token: string; exp: number }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = Math.min(accessTokenExp ?? iat + SESSION_MAX_S, iat + SESSION_MAX_S);
  const token = await new SignJWT({ actor: { ...actor } })
    .setProtectedHeader({ alg: 'HS256', typ: SESSION_TYPE })
    .setIssuer(ISSUER)
    .setSubject(actor.subject)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(keys.session);
  return { token, exp };
}

/** The actor of a session cookie; an AuthenticationError (401) when it is altered or expired. */
export async function verifySession(cookie: string, keys: SessionKeys): Promise<Actor> {
  try {
    const { payload } = await jwtVerify(cookie, keys.session, { issuer: ISSUER, algorithms: ['HS256'], typ: SESSION_TYPE, requiredClaims: ['exp'] });
    const actor = payload.actor as Actor | undefined;
    if (!actor || typeof actor.subject !== 'string' || actor.method !== 'oidc') throw new AuthenticationError('the session cookie names nobody', LOGIN_HINT);
    return actor;
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    if (error instanceof joseErrors.JWTExpired)
      throw new AuthenticationError(`the browser session expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}`, LOGIN_HINT);
    throw new AuthenticationError('the session cookie is not one this server issued (altered, or signed with another key)', LOGIN_HINT);
  }
}

/**
 * Where a login may return to: a path on this server (`/…`, not `//host` nor `/\host`, no scheme,
 * no control characters), else null. Pure.
 */
export function safeReturnPath(value: string | undefined): string | null {
  if (value === undefined || value === '') return '/';
  if (value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === '\\')) return null;
  // What a browser would resolve it to must stay on the same origin.
  const base = 'http://ramp.invalid';
  const resolved = new URL(value, base);
  return resolved.origin === base ? `${resolved.pathname}${resolved.search}${resolved.hash}` : null;
}

/** Methods that change nothing: a cookie alone is enough for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a cookie-authenticated request is refused as a possible cross-site request forgery, or null.
 * A state-changing request must be JSON and carry `X-Ramp-Request: 1`: a page of another site
 * cannot send that header without a CORS preflight, which ramp server does not grant. Pure.
 */
export function csrfRefusal(method: string, contentType: string | undefined, rampRequest: string | undefined): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const json = (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
  if (json && rampRequest === '1') return null;
  const missing = [json ? null : 'Content-Type: application/json', rampRequest === '1' ? null : 'X-Ramp-Request: 1'].filter(Boolean).join(' and ');
  return `a ${method.toUpperCase()} authenticated by the browser session cookie must send ${missing} (cross-site request forgery defence)`;
}
