// A real OpenID Provider for the tests and for `ramp dev`'s demo: oidc-provider 9 as its own
// process (main.ts) on a free port, with the people and clients of users.ts. Tokens come
// through the real flows: code + PKCE and the device grant (RFC 8628), whose pages a scripted
// browser (scripted-browser.ts) fills in as the user, and client credentials. The test harness
// (test/harness/oidc.ts) starts it with a tracker that kills it with the test process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import type { ProcessTracker } from '../prometheus.js';
import { freePort, sleep, terminate } from '../proc.js';
import { ScriptedBrowser, type BrowseResult } from './scripted-browser.js';
import {
  AUTOMATION_CLIENT_ID,
  CLI_CLIENT_ID,
  CLI_REDIRECT_URI,
  RAMP_AUDIENCE,
  RAMP_RESOURCE,
  TEST_USERS,
  type ProviderProcessConfig,
  type TestUserName,
} from './users.js';

export {
  AUTOMATION_CLIENT_ID,
  AUTOMATION_GROUPS,
  CLI_CLIENT_ID,
  RAMP_AUDIENCE,
  RAMP_RESOURCE,
  TEST_USERS,
  WEB_CLIENT_ID,
  WEB_CONFIDENTIAL_CLIENT_ID,
  type TestUserName,
} from './users.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

export interface OidcProviderOptions {
  /** The port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Access token lifetime, seconds (default 600). */
  accessTokenTTL?: number;
  /** JWS algorithm of access tokens (default RS256). */
  accessTokenAlg?: 'RS256' | 'ES256';
}

export interface Tokens {
  accessToken: string;
  refreshToken: string | undefined;
  idToken: string | undefined;
  /** Seconds, as the token response said. */
  expiresIn: number | undefined;
}

/** What the scopes of a person's login are: ramp's resource plus who they are. */
export const PERSON_SCOPE = 'openid profile email groups';

/** The provider is plain HTTP on 127.0.0.1: openid-client refuses that unless told. */
const insecureOptions = { execute: [oidc.allowInsecureRequests] };

export class TestOidcProvider {
  readonly automationClient: { id: string; secret: string };
  /** The secret of `ramp-web-confidential` (ramp server's confidential web client). */
  readonly webClientSecret: string;
  readonly audience = RAMP_AUDIENCE;
  readonly resource = RAMP_RESOURCE;
  private stopped = false;
  private cliConfig: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
    readonly dir: string,
    automationClientSecret: string,
    webClientSecret: string,
  ) {
    this.automationClient = { id: AUTOMATION_CLIENT_ID, secret: automationClientSecret };
    this.webClientSecret = webClientSecret;
  }

  get logFile(): string {
    return path.join(this.dir, 'oidc-provider.log');
  }

  /** The `ramp-cli` public client, discovered from the issuer. */
  cliClient(): Promise<oidc.Configuration> {
    this.cliConfig ??= oidc.discovery(new URL(this.issuer), CLI_CLIENT_ID, { token_endpoint_auth_method: 'none' }, oidc.None(), insecureOptions);
    return this.cliConfig;
  }

  /** A token for `user` through the real code + PKCE flow (default) or the device grant. */
  async tokenFor(user: TestUserName, { flow = 'code' }: { flow?: 'code' | 'device' } = {}): Promise<Tokens> {
    return flow === 'code' ? this.codeFlow(user) : this.deviceFlow(user);
  }

  /** Authorization code + PKCE: the authorization URL, the login and consent pages, the code exchange. */
  async codeFlow(user: TestUserName): Promise<Tokens> {
    const config = await this.cliClient();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CLI_REDIRECT_URI,
      scope: PERSON_SCOPE,
      resource: RAMP_RESOURCE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const result = await this.signIn(url.href, user, { stopAt: (u) => u.startsWith(CLI_REDIRECT_URI) });
    if (!result.url.startsWith(CLI_REDIRECT_URI))
      throw new Error(`the code flow for ${user} did not come back to ${CLI_REDIRECT_URI}: ended at ${result.url} (${result.status})`);
    const response = await oidc.authorizationCodeGrant(
      config,
      new URL(result.url),
      { pkceCodeVerifier: verifier, expectedState: state },
      { resource: RAMP_RESOURCE },
    );
    return tokensOf(response);
  }

  /** The device grant (RFC 8628): start it, sign in on the verification page as `user`, poll. */
  async deviceFlow(user: TestUserName): Promise<Tokens> {
    const config = await this.cliClient();
    const device = await oidc.initiateDeviceAuthorization(config, { scope: PERSON_SCOPE, resource: RAMP_RESOURCE });
    const polled = oidc.pollDeviceAuthorizationGrant(config, device);
    polled.catch(() => {}); // awaited below; a sign-in failure must not leave it unhandled
    await this.completeDeviceLogin({ verificationUri: device.verification_uri, userCode: device.user_code }, user);
    return tokensOf(await polled);
  }

  /**
   * As `user` in a browser: open the verification page, type the user code, confirm, sign in and
   * consent. Throws unless the provider's page says the device was signed in.
   */
  async completeDeviceLogin({ verificationUri, userCode }: { verificationUri: string; userCode: string }, user: TestUserName): Promise<BrowseResult> {
    const result = await this.signIn(verificationUri, user, { userCode });
    if (result.status !== 200 || !/sign-in (was )?successful|success/i.test(result.html)) {
      throw new Error(`the device verification for ${user} did not succeed (${result.status} at ${result.url}): ${textOf(result.html).slice(0, 300)}`);
    }
    return result;
  }

  /** Client credentials for `ramp-automation`. */
  async clientCredentialsToken(): Promise<Tokens> {
    const config = await oidc.discovery(
      new URL(this.issuer),
      this.automationClient.id,
      undefined,
      oidc.ClientSecretBasic(this.automationClient.secret),
      insecureOptions,
    );
    return tokensOf(await oidc.clientCredentialsGrant(config, { resource: RAMP_RESOURCE }));
  }

  /** The provider's public keys (JWKS), as served. */
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const res = await fetch(`${this.issuer}/jwks`);
    return (await res.json()) as { keys: Record<string, unknown>[] };
  }

  private signIn(start: string, user: TestUserName, { userCode, stopAt }: { userCode?: string; stopAt?: (url: string) => boolean }): Promise<BrowseResult> {
    const browser = new ScriptedBrowser();
    return browser.browse(
      start,
      (form): Record<string, string> => {
        if ('user_code' in form.fields && form.fields.user_code === '' && userCode) return { user_code: userCode };
        if ('login' in form.fields) return { login: TEST_USERS[user].subject, password: 'any password' };
        return {};
      },
      stopAt,
    );
  }

  /** Stops the provider and removes its temp dir. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await terminate(this.child);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function tokensOf(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Tokens {
  return { accessToken: response.access_token, refreshToken: response.refresh_token, idToken: response.id_token, expiresIn: response.expiresIn() };
}

function textOf(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

async function logTail(file: string): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(-20).join('\n');
}

async function startOnce(options: Required<Omit<OidcProviderOptions, 'port'>> & { port?: number }, track: ProcessTracker): Promise<TestOidcProvider> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-oidc-'));
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const config: ProviderProcessConfig = {
    port,
    issuer,
    automationClientSecret: randomBytes(24).toString('base64url'),
    webClientSecret: randomBytes(24).toString('base64url'),
    ...options,
  };
  const logFd = openSync(path.join(dir, 'oidc-provider.log'), 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, RAMP_OIDC_PROVIDER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const provider = new TestOidcProvider(child, issuer, dir, config.automationClientSecret, config.webClientSecret);
  const unregister = track(child, () => provider.stop());
  child.once('exit', unregister);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  // Ready when the discovery document answers with this issuer.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const tail = await logTail(provider.logFile);
      await provider.stop();
      throw new Error(`the OpenID Provider did not start (${spawnError?.message ?? child.exitCode ?? child.signalCode}):\n${tail}`);
    }
    const discovered = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => r.ok && ((await r.json()) as { issuer?: string }).issuer === issuer,
      () => false,
    );
    if (discovered) return provider;
    if (Date.now() > deadline) {
      const tail = await logTail(provider.logFile);
      await provider.stop();
      throw new Error(`the OpenID Provider's discovery document did not answer within 60 s at ${issuer}:\n${tail}`);
    }
    await sleep(100);
  }
}

/** Starts the provider (bounded wait for its discovery document). Stop it with `stop()` in `after()`. */
export async function startOidcProvider(options: OidcProviderOptions = {}, track: ProcessTracker = () => () => {}): Promise<TestOidcProvider> {
  const full = { accessTokenTTL: 600, accessTokenAlg: 'RS256' as const, ...options };
  try {
    return await startOnce(full, track);
  } catch (err) {
    // A free port may have been taken between the probe and the bind; one retry (a given port is not retried).
    if (options.port !== undefined || !/address already in use|EADDRINUSE/i.test(String(err))) throw err;
    return startOnce(full, track);
  }
}
