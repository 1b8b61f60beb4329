// The test OpenID Provider's people and clients (scripts/lib/oidc-provider/main.ts), shared with
// the tests that log in as them. Any password is accepted (oidc-provider's devInteractions): the
// login form is driven over HTTP, but only this list can log in (any other login ends on the
// provider's error page, without a code).

export interface TestUser {
  /** The `sub` claim and the login name. */
  subject: string;
  name: string;
  email: string;
  groups: string[];
}

export const TEST_USERS = {
  alice: { subject: 'alice', name: 'Alice Archer', email: 'alice@example.test', groups: ['release-managers'] },
  bob: { subject: 'bob', name: 'Bob Baker', email: 'bob@example.test', groups: ['sre'] },
  carol: { subject: 'carol', name: 'Carol Cole', email: 'carol@example.test', groups: ['sre'] },
  dave: { subject: 'dave', name: 'Dave Dunn', email: 'dave@example.test', groups: ['product'] },
  mallory: { subject: 'mallory', name: 'Mallory Moss', email: 'mallory@example.test', groups: [] },
} as const satisfies Record<string, TestUser>;

export type TestUserName = keyof typeof TEST_USERS;

/** The public client of `ramp login`: device grant and code + PKCE, refresh tokens. */
export const CLI_CLIENT_ID = 'ramp-cli';
/** Where the code flow returns to (a loopback redirect, as a native app's). */
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';
/**
 * ramp server's web client for browser sessions (/auth/login): code + PKCE, public. Registered as
 * a native client with a loopback redirect, so the server's port may vary (RFC 8252 §7.3, which
 * oidc-provider applies to native clients): tests start the server on any free port.
 */
export const WEB_CLIENT_ID = 'ramp-web';
/** The same, confidential (a client secret at the token endpoint: RAMP_SERVER_OIDC_CLIENT_SECRET_FILE). */
export const WEB_CONFIDENTIAL_CLIENT_ID = 'ramp-web-confidential';
/** Where the provider returns browsers to ramp server (any port on 127.0.0.1). */
export const WEB_REDIRECT_URI = 'http://127.0.0.1/auth/callback';
/** The confidential client of automation: client credentials. */
export const AUTOMATION_CLIENT_ID = 'ramp-automation';
/** The groups claim of the automation client's tokens (client credentials: no person). */
export const AUTOMATION_GROUPS = ['automation'];
/** The resource indicator (RFC 8707) that names ramp's API; its tokens carry `aud` = the audience. */
export const RAMP_RESOURCE = 'urn:ramp:api';
export const RAMP_AUDIENCE = 'ramp';

/** What the harness passes to the provider process (JSON in RAMP_OIDC_PROVIDER_CONFIG). */
export interface ProviderProcessConfig {
  port: number;
  issuer: string;
  automationClientSecret: string;
  webClientSecret: string;
  /** Access token lifetime, seconds. */
  accessTokenTTL: number;
  /** The JWS algorithm of access tokens. */
  accessTokenAlg: 'RS256' | 'ES256';
}
