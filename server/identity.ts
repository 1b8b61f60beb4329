/**
 * Who the server lets in, and what they may do: the one place where `ramp server` is wired to
 * an identity provider and to the pipelines' permissions. Until an OpenID Provider is
 * configured, no credential is accepted (401) and nothing is permitted: a server that cannot
 * tell people apart must not forward decisions.
 */
import { AuthenticationError, type Authenticator } from '../src/identity/authenticator.js';
import type { Authorize } from './context.js';

export interface ServerIdentity {
  authenticator: Authenticator;
  authorize: Authorize;
  /** What the server says at start about how it authenticates. */
  describe: string;
}

export function serverIdentity(_env: Readonly<Record<string, string | undefined>>): ServerIdentity {
  return {
    authenticator: {
      authenticate() {
        return Promise.reject(
          new AuthenticationError(
            'this ramp server has no identity provider configured, so it accepts no credential',
            'whoever runs the server configures its OpenID Provider (docs/server.md)',
          ),
        );
      },
    },
    authorize: () => 'this ramp server has no permissions configured',
    describe: 'no identity provider configured: every request to /api/v1 is refused (401)',
  };
}
