/**
 * The server's one Authenticator: a bearer credential with the service-token prefix (`ramp_st_`)
 * goes to the service tokens, any other to OpenID Connect. Either may be switched off.
 */
import type { Actor } from './actor.js';
import { AuthenticationError, type Authenticator } from './authenticator.js';
import { bearerToken } from './bearer.js';
import { isServiceToken } from './service-tokens.js';

export class ChainAuthenticator implements Authenticator {
  constructor(private readonly by: { serviceTokens?: Authenticator; oidc?: Authenticator }) {}

  async authenticate(authorization: string | undefined): Promise<Actor> {
    const token = bearerToken(authorization);
    if (isServiceToken(token)) {
      if (!this.by.serviceTokens)
        return Promise.reject(new AuthenticationError('service tokens are not enabled on this server', 'use an OpenID Connect token (`ramp login`)'));
      return this.by.serviceTokens.authenticate(authorization);
    }
    if (!this.by.oidc)
      return Promise.reject(
        new AuthenticationError('OpenID Connect is not configured on this server: only service tokens are accepted', 'send a ramp service token'),
      );
    return this.by.oidc.authenticate(authorization);
  }
}
