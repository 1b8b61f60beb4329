/**
 * How `ramp server` learns who is calling: one interface, implemented for OpenID Connect bearer
 * tokens (bearer.ts) and ramp's service tokens (service-tokens.ts). An implementation either
 * returns a verified Actor or throws an AuthenticationError (HTTP 401) whose message says what
 * was wrong with the credential without echoing it.
 */
import type { Actor } from './actor.js';

export interface Authenticator {
  /** `authorization`: the request's Authorization header, if any. */
  authenticate(authorization: string | undefined): Promise<Actor>;
}

/** The credential is missing, malformed, forged, expired or not meant for ramp: 401. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  constructor(
    message: string,
    /** What the caller can do about it. */
    readonly hint: string = 'log in again with `ramp login`, or send a valid bearer token',
  ) {
    super(message);
  }
}
