/**
 * Browser sessions by authorization code + PKCE (openid-client), stateless:
 * - GET /auth/login?return=/path: to the provider's authorization endpoint (PKCE S256, state,
 *   nonce); the login in progress goes in the encrypted `ramp_login` cookie (10 min, HttpOnly, Lax).
 * - GET /auth/callback: the code exchange with every check (state, PKCE, nonce, the ID token);
 *   the actor comes from the ACCESS token, verified by the server's OidcAuthenticator like any
 *   bearer call (same issuer, audience and groups claim) — from the ID token's claims only when
 *   the access token is opaque (not a JWT). Then the signed `ramp_session` cookie, and a tiny page
 *   that goes on to the return path (same origin only) — a hop, not a 302: login-hop.ts says why.
 * - POST /auth/logout: clears the session cookie.
 * Without an issuer configured, /auth/* answer 404 with a hint.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as oidc from 'openid-client';
import { actorFromClaims } from '../../src/identity/bearer.js';
import { AuthenticationError } from '../../src/identity/authenticator.js';
import type { Actor } from '../../src/identity/actor.js';
import type { AppEnv } from '../context.js';
import { ApiError } from '../errors.js';
import { HOP_HEADERS, renderLoginHop } from './login-hop.js';
import type { SessionKeys } from './session-keys.js';
import { LOGIN_COOKIE, LOGIN_TTL_S, SESSION_COOKIE, openLoginState, safeReturnPath, sealLoginState, signSession } from './session.js';

export interface BrowserLoginOptions {
  issuer: string;
  /** The web client registered at the provider (RAMP_SERVER_OIDC_CLIENT_ID). */
  clientId: string;
  /** Its secret (a confidential client); a public client with PKCE when absent. */
  clientSecret?: string;
  /** The server's external base URL: the redirect URI is `<publicUrl>/auth/callback`. */
  publicUrl: string;
  /** The resource indicator (RFC 8707) to ask the access token for, if the provider needs one. */
  resource?: string;
  /** @default 'openid profile email' */
  scope?: string;
  /** The groups claim, for an ID token when the access token is opaque. */
  groupsClaim: string;
  /** Verifies an access token as a bearer call's (the server's OidcAuthenticator). */
  verifyAccessToken(token: string): Promise<Actor>;
}

const DEFAULT_SCOPE = 'openid profile email';
const NOT_CONFIGURED_HINT = 'whoever runs the server sets RAMP_SERVER_OIDC_ISSUER (and registers the web client, docs/identity.md) to enable browser sessions';

/** Whether a URL is plain http on this machine (then cookies cannot be Secure). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Checks the public URL at startup: https, or http on loopback. Returns it without a trailing slash. */
export function checkedPublicUrl(publicUrl: string): URL {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new Error(
      `RAMP_SERVER_PUBLIC_URL ${JSON.stringify(publicUrl)} is not a URL; set it to the server's external base URL, such as https://ramp.example.com`,
    );
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url))
    throw new Error(
      `the server's public URL ${url.origin} is plain http on a non-loopback address: session cookies must be Secure; set RAMP_SERVER_PUBLIC_URL to its https URL`,
    );
  return url;
}

export function browserLoginRoutes(app: Hono<AppEnv>, options: BrowserLoginOptions | undefined, keys: SessionKeys | null): void {
  if (!options || !keys) {
    const absent = () => {
      throw new ApiError(404, 'browser sessions are not enabled on this server: no OpenID Provider is configured', { hint: NOT_CONFIGURED_HINT });
    };
    app.get('/auth/login', absent);
    app.get('/auth/callback', absent);
    app.post('/auth/logout', absent);
    return;
  }
  const base = checkedPublicUrl(options.publicUrl);
  const callbackUrl = new URL(`${base.pathname.replace(/\/+$/, '')}/auth/callback`, base);
  const secure = !isLoopbackHttp(base);
  const cookiePath = base.pathname.replace(/\/+$/, '') || '/';
  let configuration: Promise<oidc.Configuration> | undefined;
  const client = () => {
    configuration ??= oidc
      .discovery(
        new URL(options.issuer),
        options.clientId,
        options.clientSecret ? undefined : { token_endpoint_auth_method: 'none' },
        options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
        new URL(options.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        configuration = undefined;
        throw new ApiError(503, `could not discover the OpenID Provider ${options.issuer}: ${error instanceof Error ? error.message : String(error)}`, {
          hint: 'check that the issuer is reachable from ramp server, then log in again',
        });
      });
    return configuration;
  };

  app.get('/auth/login', async (c) => {
    const wanted = c.req.query('return');
    const returnTo = safeReturnPath(wanted);
    if (returnTo === null)
      throw new ApiError(400, `return=${JSON.stringify((wanted ?? '').slice(0, 100))} is not a path on this server: a login returns only to this server`, {
        hint: 'pass return=/some/path (a relative path), or leave it out',
      });
    const config = await client();
    const login = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo };
    const parameters: Record<string, string> = {
      redirect_uri: callbackUrl.href,
      scope: options.scope ?? DEFAULT_SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    };
    if (options.resource) parameters.resource = options.resource;
    setCookie(c, LOGIN_COOKIE, await sealLoginState(login, keys), {
      httpOnly: true,
      secure,
      sameSite: 'Lax',
      path: `${cookiePath === '/' ? '' : cookiePath}/auth`,
      maxAge: LOGIN_TTL_S,
    });
    return c.redirect(oidc.buildAuthorizationUrl(config, parameters).href, 302);
  });

  app.get('/auth/callback', async (c) => {
    const login = await openLoginState(getCookie(c, LOGIN_COOKIE), keys);
    if (!login)
      throw new ApiError(400, 'no login in progress: the login cookie is missing, altered or older than 10 minutes', { hint: 'start again at /auth/login' });
    const config = await client();
    const current = new URL(callbackUrl);
    current.search = new URL(c.req.url).search;
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true },
        options.resource ? { resource: options.resource } : undefined,
      );
    } catch (error) {
      throw new ApiError(400, `the login could not be completed: ${callbackFailure(error)}`, { hint: 'start again at /auth/login' });
    }
    const actor = await actorOf(tokens, options);
    const accessExp = tokens.expiresIn() === undefined ? undefined : Math.floor(Date.now() / 1000) + tokens.expiresIn()!;
    const session = await signSession(actor, accessExp, keys);
    deleteCookie(c, LOGIN_COOKIE, { path: `${cookiePath === '/' ? '' : cookiePath}/auth`, secure, httpOnly: true, sameSite: 'Lax' });
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      secure,
      sameSite: 'Strict',
      path: cookiePath,
      maxAge: Math.max(0, session.exp - Math.floor(Date.now() / 1000)),
    });
    for (const [name, value] of Object.entries(HOP_HEADERS)) c.header(name, value);
    return c.html(renderLoginHop(login.returnTo, actor.name), 200);
  });

  app.post('/auth/logout', (c: Context<AppEnv>) => {
    deleteCookie(c, SESSION_COOKIE, { path: cookiePath, secure, httpOnly: true, sameSite: 'Strict' });
    return c.body(null, 204);
  });
}

/** The access token's actor (verified as a bearer token is); the ID token's claims if it is opaque. */
async function actorOf(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, options: BrowserLoginOptions): Promise<Actor> {
  if (tokens.access_token.split('.').length === 3) return options.verifyAccessToken(tokens.access_token);
  const claims = tokens.claims();
  if (!claims) throw new AuthenticationError('the provider answered with an opaque access token and no ID token: ramp cannot tell who logged in');
  return actorFromClaims(claims, options.groupsClaim);
}

/** What openid-client refused, in words for the person (never a token). */
function callbackFailure(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError)
    return `the provider answered ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  if (error instanceof oidc.ResponseBodyError)
    return `the provider refused the code: ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`;
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 200);
}
