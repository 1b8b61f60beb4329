/**
 * `ramp server` in the foreground: settings from the environment and flags, the signing key,
 * the identity wiring, then serve until SIGINT or SIGTERM and stop gracefully.
 */
import { loadPolicyFiles } from '../src/governance/policy-files.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliSettings } from '../cli/connection.js';
import { UsageError } from '../src/errors.js';
import type { DecisionSigningKey } from '../src/identity/decision-signature.js';
import { createServer } from './app.js';
import { checkedPublicUrl, type BrowserLoginOptions } from './auth/browser-login.js';
import { serverIdentity, type IdentitySettings, type ServerIdentity } from './identity.js';
import { readSlackUsers } from './integrations/slack/users.js';
import type { SlackOptions } from './integrations/slack/routes.js';
import { readLinkKeys } from './links/keys.js';
import { hostPort, listen } from './listen.js';
import { jsonLogger } from './log.js';

export interface ServerRun {
  settings: CliSettings;
  env: Readonly<Record<string, string | undefined>>;
  listen: string;
  pipelinesDir: string;
  signingKeyFile: string;
  /** The identity providers: OpenID Connect and service tokens (server/identity.ts). */
  identity: IdentitySettings;
  limits: { bodyBytes: number; ratePerSecond: number; rateBurst: number };
  graceMs: number;
  /** RAMP_SERVER_EVENTS_POLL: how often a watched promotion is read. */
  eventsPollMs: number;
  /** RAMP_SERVER_LINK_KEYS_FILE: the approval links' public keys (server/links/). */
  linkKeysFile?: string | undefined;
  /** RAMP_SERVER_SLACK_SIGNING_SECRET_FILE, RAMP_SERVER_SLACK_USERS_FILE, RAMP_SERVER_SLACK_BOT_TOKEN_FILE: Slack interactions (server/integrations/slack/). */
  slack?: { signingSecretFile: string | undefined; usersFile: string | undefined; botTokenFile: string | undefined };
  /** RAMP_POLICY_FILES: the organisation's policy files, listed by GET /api/v1/policies. */
  policyFiles?: string[];
  /** RAMP_TEMPORAL_UI_URL: the release pages link their workflows into this Temporal UI. */
  temporalUiUrl?: string | undefined;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Reads the private JWK `ramp server keys` wrote. */
export async function readSigningKey(file: string): Promise<DecisionSigningKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read the signing key ${file} (RAMP_SERVER_SIGNING_KEY_FILE): ${(error as { code?: string }).code ?? String(error)}. Write one with \`ramp server keys --out DIR\``,
    );
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new UsageError(`the signing key ${file} is not JSON; write one with \`ramp server keys --out DIR\``);
  }
  const key = jwk as { kty?: unknown; crv?: unknown; d?: unknown; kid?: unknown };
  if (key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.d !== 'string' || typeof key.kid !== 'string') {
    throw new UsageError(`the signing key ${file} is not a private Ed25519 JWK with a kid; write one with \`ramp server keys --out DIR\``);
  }
  return { kid: key.kid, jwk: jwk as DecisionSigningKey['jwk'] };
}

/** Browser sessions' settings (the web client, its secret, the public URL), or why they are off. */
async function browserLogin(run: ServerRun, identity: ServerIdentity): Promise<BrowserLoginOptions | string> {
  const oidc = identity.oidc;
  const web = run.identity.web;
  if (!oidc || !web) return 'off (no RAMP_SERVER_OIDC_ISSUER)';
  let clientSecret: string | undefined;
  if (web.clientSecretFile !== undefined) {
    try {
      clientSecret = (await readFile(web.clientSecretFile, 'utf8')).trim();
    } catch (error) {
      throw new UsageError(
        `cannot read the web client's secret ${web.clientSecretFile} (RAMP_SERVER_OIDC_CLIENT_SECRET_FILE): ${(error as { code?: string }).code ?? String(error)}`,
      );
    }
    if (clientSecret === '') throw new UsageError(`the web client's secret file ${web.clientSecretFile} (RAMP_SERVER_OIDC_CLIENT_SECRET_FILE) is empty`);
  }
  const publicUrl = (web.publicUrl ?? `http://${run.listen}`).replace(/\/+$/, '');
  try {
    checkedPublicUrl(publicUrl);
  } catch (error) {
    // Unset and not derivable (listening on 0.0.0.0): bearer calls still work; browsers cannot log in.
    if (web.publicUrl === undefined) return `off: listening on ${run.listen}, so set RAMP_SERVER_PUBLIC_URL to the server's https URL to enable them`;
    throw new UsageError((error as Error).message);
  }
  return {
    issuer: oidc.issuer,
    clientId: web.clientId,
    ...(clientSecret ? { clientSecret } : {}),
    publicUrl,
    ...(web.resource ? { resource: web.resource } : {}),
    groupsClaim: run.identity.groupsClaim,
    verifyAccessToken: (token) => oidc.verify(token),
  };
}

/** A secret's file, trimmed; a missing or empty file is the operator's error. */
async function readSecretFile(file: string, variable: string, what: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file} (${variable}): ${(error as { code?: string }).code ?? String(error)}`);
  }
  if (text === '') throw new UsageError(`${what} file ${file} (${variable}) is empty`);
  return text;
}

/** Slack interactions' settings, or why they are off. */
async function slackSettings(run: ServerRun): Promise<SlackOptions | string> {
  const slack = run.slack;
  if (!slack?.signingSecretFile) return 'off (no RAMP_SERVER_SLACK_SIGNING_SECRET_FILE)';
  return {
    signingSecret: await readSecretFile(slack.signingSecretFile, 'RAMP_SERVER_SLACK_SIGNING_SECRET_FILE', "the Slack app's signing secret"),
    users: slack.usersFile ? await readSlackUsers(slack.usersFile) : new Map(),
    ...(slack.botTokenFile ? { botToken: await readSecretFile(slack.botTokenFile, 'RAMP_SERVER_SLACK_BOT_TOKEN_FILE', "the Slack app's bot token") } : {}),
  };
}

/** Serves until SIGINT or SIGTERM. */
export async function runServer(run: ServerRun): Promise<void> {
  const signingKey = await readSigningKey(run.signingKeyFile);
  const logger = jsonLogger({ stdout: run.stdout, stderr: run.stderr });
  const identity = serverIdentity(run.identity);
  const browser = await browserLogin(run, identity);
  const links = run.linkKeysFile ? { publicKeys: await readLinkKeys(run.linkKeysFile) } : null;
  const slack = await slackSettings(run);
  const policyFiles = await loadPolicyFiles(run.policyFiles ?? []);
  const server = createServer({
    authenticator: identity.authenticator,
    authorize: identity.authorize,
    signingKey,
    temporal: { settings: run.settings, env: run.env },
    pipelinesDir: resolve(run.pipelinesDir),
    limits: run.limits,
    events: { pollMs: run.eventsPollMs },
    logger,
    ...(typeof browser === 'string' ? {} : { browser }),
    ...(links ? { links } : {}),
    ...(typeof slack === 'string' ? {} : { slack }),
    policyFiles,
    ...(run.temporalUiUrl ? { temporalUiUrl: run.temporalUiUrl } : {}),
  });
  const { host, port } = hostPort(run.listen);
  const listening = await listen(server, host, port);
  logger.info({
    msg: 'listening',
    url: listening.url,
    temporal: run.settings.address,
    namespace: run.settings.namespace,
    taskQueue: run.settings.taskQueue,
    pipelines: resolve(run.pipelinesDir),
    identity: identity.describe,
    browserSessions: typeof browser === 'string' ? browser : `${browser.publicUrl}/auth/login (client ${browser.clientId})`,
    approvalLinks: !links
      ? 'off (no RAMP_SERVER_LINK_KEYS_FILE)'
      : typeof browser === 'string'
        ? 'off: they need browser sessions'
        : `${browser.publicUrl}/approve/<token> (${links.publicKeys.keys.length} key(s))`,
    policies:
      policyFiles.length === 0
        ? 'no organisation policy files (RAMP_POLICY_FILES)'
        : policyFiles.map((f) => `${f.file} (${f.spec.policies.length})`).join(', '),
    slack:
      typeof slack === 'string' ? slack : `/integrations/slack/interactions (${slack.users.size} mapped user(s)${slack.botToken ? ', e-mail lookup' : ''})`,
    temporalUi: run.temporalUiUrl ?? 'no links (no RAMP_TEMPORAL_UI_URL)',
  });
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info({ msg: 'stopping', signal, graceMs: run.graceMs });
      void listening.stop(run.graceMs).then(done, (error: unknown) => {
        logger.error({ msg: 'stopping failed', error: String(error) });
        done();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  logger.info({ msg: 'stopped' });
}
