// A real OpenID Provider for the tests, run as its own process by test/harness/oidc.ts:
// oidc-provider 9 (certified) with the test users of users.ts, device grant, code + PKCE,
// refresh tokens and client credentials, ramp server's web clients (browser sessions); access tokens are JWTs for ramp's resource indicator
// (audience `ramp`), signed with a key made at start, carrying name, email and groups.
//
//   RAMP_OIDC_PROVIDER_CONFIG='{"port":…,"issuer":…,…}' node --import tsx scripts/lib/oidc-provider/main.ts
//
// Logins go through oidc-provider's devInteractions (a login form, then a consent form), which the
// harness drives over HTTP; only the users of users.ts can log in.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type ProviderClient, type ProviderResourceServer, type ProviderToken } from 'oidc-provider';
import {
  AUTOMATION_CLIENT_ID,
  AUTOMATION_GROUPS,
  CLI_CLIENT_ID,
  CLI_REDIRECT_URI,
  RAMP_AUDIENCE,
  RAMP_RESOURCE,
  TEST_USERS,
  type ProviderProcessConfig,
  type TestUser,
  WEB_CLIENT_ID,
  WEB_CONFIDENTIAL_CLIENT_ID,
  WEB_REDIRECT_URI,
} from './users.js';

const raw = process.env.RAMP_OIDC_PROVIDER_CONFIG;
if (!raw) {
  console.error('RAMP_OIDC_PROVIDER_CONFIG is not set: this process is started by scripts/lib/oidc-provider/start.ts');
  process.exit(2);
}
const config = JSON.parse(raw) as ProviderProcessConfig;

function userOf(subject: string | undefined): TestUser | undefined {
  if (subject === undefined) return undefined;
  return Object.values(TEST_USERS).find((u) => u.subject === subject);
}

function personClaims(user: TestUser): Record<string, unknown> {
  return { name: user.name, preferred_username: user.subject, email: user.email, email_verified: true, groups: [...user.groups] };
}

async function signingKeys(): Promise<Record<string, unknown>[]> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  return [
    { ...(await exportJWK(rsa.privateKey)), kid: 'test-rs256', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.privateKey)), kid: 'test-es256', alg: 'ES256', use: 'sig' },
  ];
}

const resourceServer: ProviderResourceServer = {
  scope: 'ramp',
  audience: RAMP_AUDIENCE,
  accessTokenTTL: config.accessTokenTTL,
  accessTokenFormat: 'jwt',
  jwt: { sign: { alg: config.accessTokenAlg } },
};

const provider = new Provider(config.issuer, {
  clients: [
    {
      client_id: CLI_CLIENT_ID,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [CLI_REDIRECT_URI],
    },
    {
      client_id: WEB_CLIENT_ID,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [WEB_REDIRECT_URI],
    },
    {
      client_id: WEB_CONFIDENTIAL_CLIENT_ID,
      client_secret: config.webClientSecret,
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [WEB_REDIRECT_URI],
    },
    {
      client_id: AUTOMATION_CLIENT_ID,
      client_secret: config.automationClientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: await signingKeys() },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  findAccount(_ctx: unknown, sub: string) {
    const user = userOf(sub);
    if (!user) return undefined;
    return { accountId: user.subject, claims: () => ({ sub: user.subject, ...personClaims(user) }) };
  },
  // The claims ramp reads from the access token itself (it never calls userinfo).
  extraTokenClaims(_ctx: unknown, token: ProviderToken) {
    const user = userOf(token.accountId);
    if (user) return personClaims(user);
    return token.clientId === AUTOMATION_CLIENT_ID ? { name: 'ramp automation', groups: AUTOMATION_GROUPS } : undefined;
  },
  // The CLI's client gets a refresh token without having to ask for offline_access.
  issueRefreshToken(_ctx: unknown, client: ProviderClient) {
    return client.grantTypeAllowed('refresh_token');
  },
  ttl: {
    AccessToken: config.accessTokenTTL,
    ClientCredentials: config.accessTokenTTL,
    DeviceCode: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    RefreshToken: 86_400,
    IdToken: 3600,
    AuthorizationCode: 60,
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf ?? RAMP_RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx: unknown, indicator: string) {
        if (indicator !== RAMP_RESOURCE) throw new errors.InvalidTarget(`unknown resource ${indicator}; this provider serves ${RAMP_RESOURCE}`);
        return resourceServer;
      },
    },
  },
});

provider.on('server_error', (_ctx, err) => console.error('server_error', err));
const server = createServer(provider.callback());
server.listen(config.port, '127.0.0.1', () => console.log(`oidc-provider listening on ${config.issuer}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
