/**
 * What `ramp login` keeps: the issuer, the client, and the tokens, in
 * `$XDG_CONFIG_HOME/ramp/credentials.json` (default `~/.config/ramp/`), the file 0600 and its
 * directory 0700, written atomically. `loadCredentials()` is what commands call: it refreshes an
 * expired access token with the refresh token and rewrites the file. Nothing here prints a token.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { UserError } from '../src/errors.js';
import { PRIVATE_DIR_MODE, writePrivateFile } from '../src/identity/private-file.js';

export interface StoredCredentials {
  version: 1;
  issuer: string;
  clientId: string;
  /** The resource indicator (RFC 8707) the tokens are for, if one was asked for. */
  resource: string | null;
  scope: string;
  accessToken: string;
  refreshToken: string | null;
  /** When the access token expires (ISO 8601). */
  expiresAt: string;
  /** Who logged in, from the verified ID token (for messages). */
  subject: string | null;
  name: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Refresh this long before the access token expires, so that it does not expire in flight. */
const REFRESH_MARGIN_MS = 30_000;

/** `$XDG_CONFIG_HOME/ramp/credentials.json`, else `$HOME/.config/ramp/credentials.json`. */
export function credentialsPath(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'ramp', 'credentials.json');
}

/** openid-client refuses plain http; an issuer on this machine (a local or test provider) may use it. */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** The issuer's configuration for a public client (discovery). */
export async function discoverClient(issuer: string, clientId: string): Promise<oidc.Configuration> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new UserError(`the OIDC issuer "${issuer}" is not a URL; give the provider's issuer, e.g. https://login.example.com/realms/ramp`);
  }
  try {
    return await oidc.discovery(
      url,
      clientId,
      { token_endpoint_auth_method: 'none' },
      oidc.None(),
      isLoopbackHttp(url) ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  } catch (err) {
    throw new UserError(`could not discover the OpenID Provider at ${issuer} (${describe(err)}); check --issuer / RAMP_OIDC_ISSUER and that it is reachable`);
  }
}

/** An openid-client error as one line (its OAuth error and description, when it has them). */
export function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

/** Credentials from a token response; `previous` keeps a refresh token the response did not rotate. */
export function credentialsFrom(
  response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  context: { issuer: string; clientId: string; resource: string | null; scope: string; now: Date },
  previous?: StoredCredentials,
): StoredCredentials {
  const claims = response.claims();
  const expiresIn = response.expiresIn() ?? 300;
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return {
    version: 1,
    issuer: context.issuer,
    clientId: context.clientId,
    resource: context.resource,
    scope: response.scope ?? context.scope,
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    expiresAt: new Date(context.now.getTime() + expiresIn * 1000).toISOString(),
    subject: text(claims?.sub) ?? previous?.subject ?? null,
    name: text(claims?.name) ?? text(claims?.preferred_username) ?? text(claims?.email) ?? previous?.name ?? null,
  };
}

export async function saveCredentials(credentials: StoredCredentials, env: Env): Promise<string> {
  const file = credentialsPath(env);
  await writePrivateFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { dirMode: PRIVATE_DIR_MODE });
  return file;
}

/** The stored credentials as they are (maybe expired), or undefined when nobody logged in. */
export async function readCredentials(env: Env): Promise<StoredCredentials | undefined> {
  const file = credentialsPath(env);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`could not read ${file}: ${describe(err)}`);
  }
  try {
    const parsed = JSON.parse(raw) as Partial<StoredCredentials>;
    if (parsed.version !== 1 || typeof parsed.issuer !== 'string' || typeof parsed.accessToken !== 'string' || typeof parsed.expiresAt !== 'string')
      throw new Error('fields missing');
    return parsed as StoredCredentials;
  } catch {
    throw new UserError(`${file} is not a credentials file ramp wrote; run \`ramp logout\` and \`ramp login\` again`);
  }
}

/** Removes the stored credentials; whether there were any. */
export async function removeCredentials(env: Env): Promise<boolean> {
  const file = credentialsPath(env);
  const existed = await stat(file).then(
    () => true,
    () => false,
  );
  await rm(file, { force: true });
  return existed;
}

/**
 * The credentials for a command to use: read, and refreshed (then rewritten) when the access token
 * has expired or is about to. Undefined when nobody logged in; a UserError when the login expired
 * and cannot be refreshed.
 */
export async function loadCredentials({ env, now = () => new Date() }: { env: Env; now?: () => Date }): Promise<StoredCredentials | undefined> {
  const stored = await readCredentials(env);
  if (!stored) return undefined;
  if (Date.parse(stored.expiresAt) - REFRESH_MARGIN_MS > now().getTime()) return stored;
  if (!stored.refreshToken) {
    throw new UserError(`your login to ${stored.issuer} expired at ${stored.expiresAt} and has no refresh token; run \`ramp login\` again`);
  }
  const config = await discoverClient(stored.issuer, stored.clientId);
  let response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  try {
    response = await oidc.refreshTokenGrant(config, stored.refreshToken, stored.resource ? { resource: stored.resource } : undefined);
  } catch (err) {
    throw new UserError(`your login to ${stored.issuer} expired and could not be refreshed (${describe(err)}); run \`ramp login\` again`);
  }
  const refreshed = credentialsFrom(response, { ...stored, now: now() }, stored);
  await saveCredentials(refreshed, env);
  return refreshed;
}
