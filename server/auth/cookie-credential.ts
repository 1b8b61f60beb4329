/**
 * The API's credentials: a bearer token (the server's Authenticator) or, when browser sessions are
 * enabled and no Authorization header is sent, the `ramp_session` cookie (an `oidc` actor). A
 * state-changing request authenticated by the cookie must pass the CSRF check (session.ts);
 * bearer requests are unaffected, and reads (GET, the event stream) need the cookie alone.
 */
import { parse } from 'hono/utils/cookie';
import type { Actor } from '../../src/identity/actor.js';
import type { Authenticator } from '../../src/identity/authenticator.js';
import { ApiError } from '../errors.js';
import type { SessionKeys } from './session-keys.js';
import { SESSION_COOKIE, csrfRefusal, verifySession } from './session.js';

/** Who sent the request (its method and headers only). */
export type RequestAuthenticator = (request: Request) => Promise<Actor>;

export function requestAuthenticator(authenticator: Authenticator, sessions: SessionKeys | null): RequestAuthenticator {
  return async (request) => {
    const authorization = request.headers.get('authorization') ?? undefined;
    const cookies = request.headers.get('cookie');
    const cookie = sessions && authorization === undefined && cookies ? parse(cookies, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
    if (!sessions || cookie === undefined) return authenticator.authenticate(authorization);
    const actor = await verifySession(cookie, sessions);
    const refusal = csrfRefusal(request.method, request.headers.get('content-type') ?? undefined, request.headers.get('x-ramp-request') ?? undefined);
    if (refusal) throw new ApiError(403, refusal, { hint: 'a web page sends these with fetch(); a script can send a bearer token instead' });
    return actor;
  };
}
