/**
 * Worker-side Git credentials. A pipeline names a credential (`repository.credentials.secretRef`);
 * the worker resolves it from `RAMP_SECRET_<NAME>` or the file `$RAMP_SECRETS_DIR/<name>`, and
 * hands it to each git process as an `http.<url>.extraHeader` through git's environment config
 * (`GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`). The token never enters a URL, an
 * argument list, `.git/config`, a log line or an error message.
 */
import path from 'node:path';
import { createSecretResolver, secretEnvName, type SecretSource } from '../secrets.js';
import { CredentialMissingError, RepositoryUnavailableError } from './errors.js';
import { redactSecrets } from '../redact.js';

/** An HTTPS token and the user name sent with it (Basic auth). */
export interface GitCredentials {
  secretRef: string;
  username: string;
  token: string;
}

/** Where credentials come from: the worker's secrets (src/providers/secrets.ts). */
export type CredentialSource = SecretSource;

/**
 * The user name sent with a token. GitHub wants `x-access-token`; GitLab, Gitea and Bitbucket
 * accept any non-empty name with a personal or project token.
 * Override per credential with `RAMP_SECRET_<NAME>_USERNAME`.
 */
export const DEFAULT_TOKEN_USERNAME = 'x-access-token';

/** How git reaches a repository, which decides whether credentials apply. */
export function urlKind(url: string): 'local' | 'https' | 'http' | 'ssh' {
  if (/^https:\/\//i.test(url)) return 'https';
  if (/^http:\/\//i.test(url)) return 'http';
  if (/^(ssh|git\+ssh|ssh\+git|git):\/\//i.test(url) || /^[^/\\:]+@[^/\\:]+:/.test(url)) return 'ssh';
  return 'local';
}

/**
 * Resolves a secretRef to credentials, or null when the URL needs none (a local path or
 * `file://`, or ssh, which uses the worker's own ssh keys). Throws RepositoryUnavailableError
 * when the credential is not configured on this worker.
 */
export async function resolveCredentials(url: string, secretRef: string | null, source: CredentialSource = { env: {} }): Promise<GitCredentials | null> {
  const kind = urlKind(url);
  if (secretRef === null || kind === 'local' || kind === 'ssh') return null;
  if (kind === 'http' && !isLoopback(url)) {
    throw new RepositoryUnavailableError(
      `refusing to send credential "${secretRef}" to ${displayUrl(url)} over plain http. Use an https URL for the repository`,
    );
  }
  const { env } = source;
  const variable = secretEnvName(secretRef);
  const username = env[`${variable}_USERNAME`]?.trim() || DEFAULT_TOKEN_USERNAME;
  const token = await createSecretResolver(source)(secretRef);
  if (token) return { secretRef, username, token };
  const secretsDir = source.secretsDir ?? env.RAMP_SECRETS_DIR;
  throw new CredentialMissingError(
    `credential "${secretRef}" for ${displayUrl(url)} is not configured on this worker. ` +
      `Set ${variable} to an HTTPS token, or put the token in the file ${secretsDir ? path.join(secretsDir, secretRef) : '$RAMP_SECRETS_DIR/' + secretRef}`,
  );
}

/**
 * Environment variables that make git send the credentials to this repository's host only,
 * as an `Authorization` header. Pass them to every git process that talks to the remote.
 */
export function credentialEnv(url: string, credentials: GitCredentials | null): Record<string, string> {
  if (credentials === null) return {};
  const { origin } = new URL(url);
  const basic = Buffer.from(`${credentials.username}:${credentials.token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/**
 * The secrets of these credentials, for redact(): the token and `user:token`. redact() also
 * removes their encoded forms (the Basic header's base64, URL encoding: src/providers/redact.ts).
 */
export function secretsOf(credentials: GitCredentials | null): string[] {
  if (credentials === null) return [];
  return [credentials.token, `${credentials.username}:${credentials.token}`];
}

/** The URL with any user name and password removed, for messages. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

/** Removes every form of the secrets, and userinfo from URLs, from text that may reach a log or an error. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets);
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}
