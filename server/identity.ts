/**
 * Who the server lets in, and what it checks before it forwards a decision: the one place where
 * `ramp server` is wired to its identity providers (OpenID Connect access tokens, ramp's service
 * tokens; docs/identity.md) and to the pipelines' permissions (src/domain/permissions.ts).
 *
 * The server checks only what no workflow can: whether a promotion or rollback may start, a drift
 * decision (a drift watch pins no access block), and a service token's scope. Commands to a running promotion are checked — and refusals recorded —
 * by the workflow, against the pipeline the promotion pinned, so that there is one choke point.
 */
import { Permission, permissionRefusal } from '../src/domain/permissions.js';
import { ActorMethod } from '../src/identity/actor.js';
import { AuthenticationError, type Authenticator } from '../src/identity/authenticator.js';
import { OidcAuthenticator } from '../src/identity/bearer.js';
import { ChainAuthenticator } from '../src/identity/chain.js';
import { ServiceTokenAuthenticator, ServiceTokenStore, scopeAllows } from '../src/identity/service-tokens.js';
import type { Authorize } from './context.js';

export interface IdentitySettings {
  issuer: string | undefined;
  audience: string;
  groupsClaim: string;
  /** Accept access tokens that carry a nonce (Dex copies the login's into them). @default false */
  allowNonce?: boolean;
  serviceTokensFile: string | undefined;
  /** Browser sessions' web client (server/auth/browser-login.ts); used only with an issuer. */
  web?: { clientId: string; clientSecretFile: string | undefined; publicUrl: string | undefined; resource: string | undefined };
}

export interface ServerIdentity {
  authenticator: Authenticator;
  authorize: Authorize;
  /** What the server says at start about how it authenticates. */
  describe: string;
  /** The OpenID Connect verifier, when an issuer is configured (browser sessions verify access tokens with it). */
  oidc: OidcAuthenticator | undefined;
}

export function serverIdentity(settings: IdentitySettings): ServerIdentity {
  const oidc = settings.issuer
    ? new OidcAuthenticator({
        issuer: settings.issuer,
        audience: settings.audience,
        groupsClaim: settings.groupsClaim,
        allowNonce: settings.allowNonce ?? false,
      })
    : undefined;
  const serviceTokens = settings.serviceTokensFile ? new ServiceTokenAuthenticator(new ServiceTokenStore(settings.serviceTokensFile)) : undefined;
  const authenticator: Authenticator =
    oidc || serviceTokens
      ? new ChainAuthenticator({ ...(oidc ? { oidc } : {}), ...(serviceTokens ? { serviceTokens } : {}) })
      : {
          authenticate: () =>
            Promise.reject(
              new AuthenticationError(
                'this ramp server has no identity provider configured, so it accepts no credential',
                'whoever runs the server sets RAMP_SERVER_OIDC_ISSUER or RAMP_SERVICE_TOKENS_FILE (docs/server.md)',
              ),
            ),
        };
  const authorize: Authorize = async (actor, permission, pipeline, stage) => {
    if (actor.method === ActorMethod.ServiceToken) {
      const scope = await serviceTokens?.scopeOf(actor);
      if (!scope || !scopeAllows(scope, permission, pipeline.name)) {
        return `service token ${actor.name} may not ${permission} ${pipeline.name}: its scope is ${scope ? `${scope.permissions.join(', ')} on ${scope.pipelines.join(', ')}` : 'unknown'}`;
      }
    }
    // Promotions and rollbacks have no workflow yet, drift watches pin no access block: the server decides those.
    if (permission !== Permission.Promote && permission !== Permission.Rollback && permission !== Permission.Drift) return null;
    return permissionRefusal({ permission, pipeline: pipeline.name, access: pipeline.access ?? null, actor, groups: {}, stage });
  };
  const how = [oidc ? `OpenID Connect tokens of ${settings.issuer} for audience ${settings.audience}` : null, serviceTokens ? 'service tokens' : null].filter(
    Boolean,
  );
  return {
    authenticator,
    authorize,
    describe: how.length > 0 ? how.join(' and ') : 'no identity provider configured: every request to /api/v1 is refused (401)',
    oidc,
  };
}
