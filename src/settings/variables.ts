/**
 * Every `RAMP_*` variable that the worker, the CLI and `ramp server` read: one zod schema, each variable with
 * its description, its default and who reads it. `parseSettings` (parse.ts) reads them once at
 * startup; `variablesUsage` (usage.ts) renders `ramp worker --help` and docs/settings.md lists
 * them, so neither can drift from what is parsed. Temporal's own connection variables
 * (TEMPORAL_*) are read by @temporalio/envconfig (temporal.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Who reads a variable. */
export type Reader = 'worker' | 'cli' | 'server';

/** What `--help`, the docs and error messages say about a variable. */
export interface VariableMeta {
  description: string;
  /** What a valid value looks like, for error messages: "a positive whole number of milliseconds". */
  expected: string;
  readers: readonly Reader[];
  /** What happens when the variable is unset, when it has no default value of its own. */
  unset?: string;
  /** Its value is never printed (a URL that may carry a token). */
  secret?: boolean;
}

function variable<T extends z.ZodType>(schema: T, meta: VariableMeta): T {
  return schema.meta({ ...meta });
}

/** The worker's log levels (@temporalio/common LogLevel). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

const DURATION = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const millis = z.coerce.number().int().positive();

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const taskQueue = variable(z.string().default('ramp'), {
  description: "the Temporal task queue ramp's workers poll and the CLI starts promotions on (--task-queue overrides it)",
  expected: 'a task queue name',
  readers: ['worker', 'cli', 'server'],
});

/** What the worker reads (worker/config.ts). */
export const workerVariables = {
  RAMP_TASK_QUEUE: taskQueue,
  RAMP_LOG_LEVEL: variable(
    z
      .string()
      .transform((level) => level.toUpperCase())
      .pipe(z.enum(LOG_LEVELS))
      .default('INFO'),
    { description: "the worker's log level", expected: `one of ${LOG_LEVELS.join(', ')}`, readers: ['worker'] },
  ),
  RAMP_LOG_FORMAT: variable(
    z
      .string()
      .transform((format) => format.toLowerCase())
      .pipe(z.enum(['json', 'text']))
      .default('json'),
    {
      description: "the worker's log format: one JSON object a line with promotion, stage and step (docs/worker.md#logs), or the SDK's text lines",
      expected: 'json or text',
      readers: ['worker'],
    },
  ),
  RAMP_METRICS_ADDRESS: variable(
    z
      .string()
      .regex(HOST_PORT)
      .refine((address) => Number(address.slice(address.lastIndexOf(':') + 1)) <= 65_535)
      .optional(),
    {
      description: 'host:port where the worker serves Prometheus metrics at /metrics',
      expected: 'host:port, such as 0.0.0.0:9464',
      readers: ['worker'],
      unset: 'no metrics endpoint',
    },
  ),
  RAMP_WORKER_HEALTH_ADDR: variable(
    z
      .string()
      .regex(HOST_PORT)
      .refine((address) => Number(address.slice(address.lastIndexOf(':') + 1)) <= 65_535)
      .optional(),
    {
      description: 'host:port where the worker serves /healthz (up) and /readyz (polling) for a supervisor (docs/worker.md)',
      expected: 'host:port, such as 0.0.0.0:8080',
      readers: ['worker'],
      unset: 'no health endpoint',
    },
  ),
  RAMP_SHUTDOWN_GRACE: variable(z.string().regex(DURATION).default('30s'), {
    description: 'how long in-flight activities get to finish after SIGINT or SIGTERM',
    expected: 'a duration such as 30s, 2m or 500ms',
    readers: ['worker'],
  }),
  RAMP_GROUPS_FILE: variable(z.string().optional(), {
    description: 'a YAML file of approver groups (groups: { release-managers: [alice, bob] })',
    expected: 'a file path',
    readers: ['worker'],
    unset: 'no groups: group:<name> approvers approve nobody',
  }),
  RAMP_FREEZE_GROUPS: variable(
    z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((name) => name.trim().replace(/^group:/, ''))
          .filter(Boolean),
      )
      .default([]),
    {
      description:
        'comma-separated groups whose members may declare and lift an organisation-wide freeze (members from the token, or RAMP_GROUPS_FILE for unverified names; docs/governance.md#freeze)',
      expected: 'comma-separated group names such as sre-oncall,release-managers',
      readers: ['worker'],
      unset: 'anyone may declare and lift a freeze (an emergency brake)',
    },
  ),
  RAMP_WINDOWS_FILE: variable(z.string().optional(), {
    description:
      "a YAML file of the organisation's deploy windows (apiVersion: ramp/v1, kind: Windows, windows: { allow, deny }), honoured by every stage beside its own (docs/governance.md#deploy-windows)",
    expected: 'a file path',
    readers: ['worker'],
    unset: "no organisation windows: only each stage's own",
  }),
  RAMP_POLICY_FILES: variable(
    z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((file) => file.trim())
          .filter(Boolean),
      )
      .default([]),
    {
      description: 'comma-separated organisation-wide policy files (kind: Policies) every promotion pins at its start (docs/governance.md)',
      expected: 'comma-separated file paths',
      readers: ['worker', 'server'],
      unset: "only each pipeline's own spec.policies",
    },
  ),
  RAMP_DECISION_KEYS_FILE: variable(z.string().optional(), {
    description:
      'the public keys (a JWKS file, from ramp server keys) of the ramp servers whose signed decisions the worker accepts; once set, approvals and overrides need a verified person (docs/server.md)',
    expected: 'a file path',
    readers: ['worker'],
    unset: 'no server in front: every command is recorded as local-unverified and counts (the local stack)',
  }),
  RAMP_NOTIFY_WEBHOOKS: variable(
    z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().refine(isHttpUrl)))
      .default([]),
    {
      description: 'comma-separated URLs that receive every notification as unsigned JSON: a route of every pipeline for every event (docs/notifications.md)',
      expected: 'comma-separated http:// or https:// URLs',
      readers: ['worker'],
      unset: 'no notifications',
      secret: true,
    },
  ),
  RAMP_UI_URL: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description: "the ramp server's public URL: notifications link to <url>/releases/<promotion> and e-mailed approval links to <url>/approve/<token>",
    expected: 'an http(s) URL such as https://ramp.example.com',
    readers: ['worker'],
    unset: 'notifications carry no links',
  }),
  RAMP_LINK_SIGNING_KEY_FILE: variable(z.string().optional(), {
    description:
      'the private JWK (Ed25519 with a kid, as `ramp server keys` writes) the worker signs e-mailed approval links with; the servers verify them with its public half (docs/notifications.md)',
    expected: 'a file path',
    readers: ['worker'],
    unset: 'e-mails carry no approval links, only the release page',
  }),
  RAMP_SLACK_API_URL: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description:
      "the Slack Web API base URL ramp posts to (the bot token is the worker secret a pipeline's notifications.slack.tokenRef names, default slack-bot-token)",
    expected: 'an http(s) URL such as https://slack.com/api/',
    readers: ['worker'],
    unset: 'https://slack.com/api/',
  }),
  RAMP_SMTP_URL: variable(
    z
      .string()
      .trim()
      .refine((url) => /^smtps?:\/\/[^/]/i.test(url))
      .optional(),
    {
      description: 'the SMTP server for e-mail notifications: smtp://[user@]host[:port] (STARTTLS; required with a user) or smtps://… (TLS)',
      expected: 'an smtp:// or smtps:// URL',
      readers: ['worker'],
      unset: 'email: targets fail (recorded, never failing a stage)',
      secret: true,
    },
  ),
  RAMP_SMTP_PASSWORD_FILE: variable(z.string().optional(), {
    description: "a file holding the SMTP user's password (kept out of RAMP_SMTP_URL)",
    expected: 'a file path',
    readers: ['worker'],
    unset: 'the password in RAMP_SMTP_URL, if any',
  }),
  RAMP_SMTP_FROM: variable(z.string().trim().min(3).default('ramp@localhost'), {
    description: 'the From address of e-mail notifications',
    expected: 'an e-mail address',
    readers: ['worker'],
  }),
  RAMP_CACHE_DIR: variable(z.string().default(path.join(os.homedir(), '.cache', 'ramp', 'repos')), {
    description: 'where the worker keeps its clones of GitOps repositories',
    expected: 'a directory path',
    readers: ['worker'],
  }),
  RAMP_GUARD_INTERVAL: variable(z.string().regex(DURATION).default('1m'), {
    description: "how often each GitOps repository's history guard checks that the commits it watches are still reachable (force-push detection)",
    expected: 'a duration such as 1m, 30s or 5m',
    readers: ['worker'],
  }),
  RAMP_AUDIT_REPOSITORY: variable(z.string().trim().min(1).optional(), {
    description:
      "the Git repository (its branch main) whose branch ramp/audit holds organisation-wide decisions such as freezes; pipelines' decisions go to their own GitOps repository (docs/governance.md#audit-trail)",
    expected: 'a Git URL',
    readers: ['worker'],
    unset: "organisation-wide decisions stay only in their workflow's record",
  }),
  RAMP_AUDIT_REPOSITORY_SECRET: variable(z.string().trim().min(1).optional(), {
    description: 'the credential (a secretRef: RAMP_SECRET_<NAME> or $RAMP_SECRETS_DIR/<name>) for RAMP_AUDIT_REPOSITORY',
    expected: 'a secretRef name',
    readers: ['worker'],
    unset: 'none (a file:// or public repository)',
  }),
  RAMP_SECRETS_DIR: variable(z.string().optional(), {
    description: 'a directory of files named after secretRefs, each holding one secret (after RAMP_SECRET_<NAME>)',
    expected: 'a directory path',
    readers: ['worker'],
    unset: 'secrets come from RAMP_SECRET_<NAME> only',
  }),
  RAMP_KUBECONFIG: variable(z.string().optional(), {
    description: 'the kubeconfig for stages with a sync mode',
    expected: 'a file path',
    readers: ['worker'],
    unset: 'KUBECONFIG, else ~/.kube/config, else in-cluster',
  }),
  RAMP_KUSTOMIZE: variable(z.string().optional(), {
    description: 'the kustomize binary that sync mode apply renders kustomizations with',
    expected: 'a path or command name',
    readers: ['worker'],
    unset: 'kustomize on PATH',
  }),
};

/** What the CLI reads (cli/connection.ts, cli/pipelines.ts, cli/backend.ts, cli/http-backend.ts). */
export const cliVariables = {
  RAMP_TASK_QUEUE: taskQueue,
  RAMP_UPDATE_TIMEOUT_MS: variable(millis.default(10_000), {
    description: 'how long an operator command or a status query waits for a worker to answer',
    expected: 'a positive whole number of milliseconds',
    readers: ['cli', 'server'],
  }),
  RAMP_CONNECT_TIMEOUT_MS: variable(millis.default(5_000), {
    description: 'how long the CLI (and ramp server) waits to connect to Temporal',
    expected: 'a positive whole number of milliseconds',
    readers: ['cli', 'server'],
  }),
  RAMP_POLL_MS: variable(millis.optional(), {
    description: 'how often --wait and --watch read the status',
    expected: 'a positive whole number of milliseconds',
    readers: ['cli'],
    unset: '500 for --wait, 1000 for --watch',
  }),
  RAMP_USER: variable(z.string().optional(), {
    description: 'who runs operator commands when --as is not given',
    expected: 'a user name',
    readers: ['cli'],
    unset: '$USER, else the OS account',
  }),
  RAMP_PIPELINES_DIR: variable(z.string().optional(), {
    description: 'where pipeline names are looked up as <dir>/<name>.yaml (ramp server: its pipelines; --pipelines overrides it)',
    expected: 'a directory path',
    readers: ['cli', 'server'],
    unset: "./pipelines, or the running dev stack's pipelines when the command talks to it",
  }),
  RAMP_DEV_DIR: variable(z.string().optional(), {
    description: 'where the CLI looks for a running dev stack (ramp dev --dir) and its state file',
    expected: 'a directory path',
    readers: ['cli'],
    unset: '.ramp/dev of this checkout',
  }),
  RAMP_SERVER: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description: 'the ramp server every CLI command goes through instead of Temporal (the global --server flag sets it); worker, dev and validate stay local',
    expected: 'an http(s) URL such as https://ramp.example.com',
    readers: ['cli'],
    unset: 'the CLI talks to Temporal itself',
  }),
  RAMP_TOKEN: variable(z.string().optional(), {
    description: 'the bearer token sent to RAMP_SERVER (a service token, for automation) instead of the one ramp login keeps',
    expected: 'a token',
    readers: ['cli'],
    unset: 'the token ramp login keeps',
    secret: true,
  }),
  RAMP_TEMPORAL_UI_URL: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description:
      "the Temporal Web UI's base URL: release pages link each promotion and stage workflow to it, and ramp status prints the promotion's link (docs/ui.md)",
    expected: 'an http(s) URL such as https://temporal.example.com or http://127.0.0.1:8233',
    readers: ['cli', 'server'],
    unset: "no links into the Temporal UI (the CLI: the running dev stack's UI, if any)",
  }),
  RAMP_OIDC_ISSUER: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description: 'the OpenID Provider ramp login logs in to (--issuer overrides it; docs/identity.md)',
    expected: 'an http(s) URL such as https://id.example.com',
    readers: ['cli'],
    unset: 'ramp login needs --issuer',
  }),
  RAMP_OIDC_CLIENT_ID: variable(z.string().trim().min(1).default('ramp-cli'), {
    description: "the provider's public client ramp login uses (--client-id overrides it)",
    expected: 'a client id',
    readers: ['cli'],
  }),
  RAMP_OIDC_RESOURCE: variable(z.string().trim().min(1).optional(), {
    description: 'the resource indicator (RFC 8707) ramp login asks tokens for: the audience ramp server expects (--resource overrides it)',
    expected: 'a URI such as urn:ramp:api',
    readers: ['cli'],
    unset: "the provider's default audience",
  }),
  RAMP_OIDC_SCOPE: variable(z.string().trim().min(1).default('openid profile email offline_access'), {
    description: 'the scopes ramp login asks for (--scope overrides it)',
    expected: 'space-separated scopes',
    readers: ['cli'],
  }),
};

/** What `ramp server` reads besides the CLI's connection variables (cli/commands/server.ts). */
export const serverVariables = {
  RAMP_SERVER_LISTEN: variable(
    z
      .string()
      .regex(HOST_PORT)
      .refine((address) => Number(address.slice(address.lastIndexOf(':') + 1)) <= 65_535)
      .default('127.0.0.1:8480'),
    { description: 'host:port where ramp server listens (--listen overrides it)', expected: 'host:port, such as 0.0.0.0:8480', readers: ['server'] },
  ),
  RAMP_SERVER_SIGNING_KEY_FILE: variable(z.string().optional(), {
    description: 'the private JWK ramp server signs decisions with (`ramp server keys` writes one; workers get the public half)',
    expected: 'a file path',
    readers: ['server'],
    unset: 'ramp server refuses to start',
  }),
  RAMP_SERVER_BODY_LIMIT: variable(
    z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
    {
      description: 'the largest request body ramp server accepts, in bytes (larger: 413)',
      expected: 'a whole number of bytes from 1024 to 16777216',
      readers: ['server'],
    },
  ),
  RAMP_SERVER_RATE: variable(z.coerce.number().positive().max(100_000).default(10), {
    description: 'requests per second each client (token subject, else address) may send on average (more: 429)',
    expected: 'a positive number',
    readers: ['server'],
  }),
  RAMP_SERVER_BURST: variable(z.coerce.number().int().min(1).max(100_000).default(40), {
    description: 'requests a client may send at once before RAMP_SERVER_RATE applies',
    expected: 'a positive whole number',
    readers: ['server'],
  }),
  RAMP_SERVER_SHUTDOWN_GRACE: variable(z.string().regex(DURATION).default('10s'), {
    description: 'how long requests in flight get to finish after SIGINT or SIGTERM',
    expected: 'a duration such as 10s, 1m or 500ms',
    readers: ['server'],
  }),
  RAMP_SERVER_EVENTS_POLL: variable(z.string().regex(DURATION).default('1s'), {
    description: 'how often the server reads a promotion that someone watches live (GET …/events): the bound on how late a change is streamed',
    expected: 'a duration such as 1s or 500ms',
    readers: ['server'],
  }),
  RAMP_SERVER_OIDC_ISSUER: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description: 'the OpenID Provider whose access tokens ramp server accepts (verified against its keys; docs/identity.md)',
    expected: 'the issuer URL, exactly as the tokens say it',
    readers: ['server'],
    unset: 'no OpenID Connect: only service tokens (if any) are accepted',
  }),
  RAMP_SERVER_OIDC_AUDIENCE: variable(z.string().trim().min(1).default('ramp'), {
    description: "what the access tokens' aud must contain",
    expected: 'an audience, such as ramp or urn:ramp:api',
    readers: ['server'],
  }),
  RAMP_SERVER_OIDC_GROUPS_CLAIM: variable(z.string().trim().min(1).default('groups'), {
    description: "the claim with a person's groups: a name or a dotted path (realm_access.roles)",
    expected: 'a claim name or dotted path',
    readers: ['server'],
  }),
  RAMP_SERVER_OIDC_CLIENT_ID: variable(z.string().trim().min(1).default('ramp-web'), {
    description: "the server's web client at the OpenID Provider, for browser sessions (/auth/login; docs/identity.md)",
    expected: 'a client id',
    readers: ['server'],
  }),
  RAMP_SERVER_OIDC_CLIENT_SECRET_FILE: variable(z.string().optional(), {
    description: "a file with the web client's secret (a confidential client)",
    expected: 'a file path',
    readers: ['server'],
    unset: 'a public client: authorization code + PKCE without a secret',
  }),
  RAMP_SERVER_OIDC_RESOURCE: variable(z.string().trim().min(1).optional(), {
    description: 'the resource indicator (RFC 8707) browser logins ask the access token for, if the provider needs one',
    expected: 'a URI, such as urn:ramp:api',
    readers: ['server'],
    unset: "none is sent: the provider's default",
  }),
  RAMP_SERVER_PUBLIC_URL: variable(z.string().trim().refine(isHttpUrl).optional(), {
    description: "the server's external base URL: browser logins return to <url>/auth/callback, and session cookies are Secure unless it is http on loopback",
    expected: 'a URL, such as https://ramp.example.com',
    readers: ['server'],
    unset: 'http://<RAMP_SERVER_LISTEN> (only loopback addresses: otherwise set it)',
  }),
  RAMP_SERVER_OIDC_ALLOW_NONCE: variable(z.enum(['true', 'false']).default('false'), {
    description: "accept access tokens that carry a nonce claim (a nonce marks an ID token, but Dex copies the login's nonce into access tokens too)",
    expected: 'true or false',
    readers: ['server'],
  }),
  RAMP_SERVER_LINK_KEYS_FILE: variable(z.string().optional(), {
    description:
      "the public keys (a JWKS) of the workers' approval-link key: ramp server verifies /approve/<token> links with them (`ramp server keys` writes link-keys.json; docs/approval-links.md)",
    expected: 'a file path',
    readers: ['server'],
    unset: 'approval links are refused (404 page)',
  }),
  RAMP_SERVER_SLACK_SIGNING_SECRET_FILE: variable(z.string().optional(), {
    description: "a file with the Slack app's signing secret: POST /integrations/slack/interactions accepts only requests Slack signed with it",
    expected: 'a file path',
    readers: ['server'],
    unset: 'Slack buttons are refused (404)',
  }),
  RAMP_SERVER_SLACK_USERS_FILE: variable(z.string().optional(), {
    description: 'a JSON file mapping Slack user ids (or e-mail addresses) to people (subject, issuer, name, email, groups): who a Slack click is',
    expected: 'a file path',
    readers: ['server'],
    unset: 'no Slack user is known: every click is refused, with the reason, to the person who clicked',
  }),
  RAMP_SERVER_SLACK_BOT_TOKEN_FILE: variable(z.string().optional(), {
    description:
      "a file with the Slack app's bot token (scope users:read.email): a Slack user not in the users file is looked up by the e-mail Slack verified for them",
    expected: 'a file path',
    readers: ['server'],
    unset: 'Slack users are found by their id in RAMP_SERVER_SLACK_USERS_FILE only',
  }),
  /** The same files the workers pin at a promotion's start: the server lists them (GET /api/v1/policies). */
  RAMP_POLICY_FILES: workerVariables.RAMP_POLICY_FILES,
  /** The same as the CLI's: the release pages link into the Temporal UI. */
  RAMP_TEMPORAL_UI_URL: cliVariables.RAMP_TEMPORAL_UI_URL,
  RAMP_SERVICE_TOKENS_FILE: variable(z.string().optional(), {
    description: 'the store of service tokens (hashed) that ramp server accepts and ramp token manages',
    expected: 'a file path',
    readers: ['server'],
    unset: 'no service tokens',
  }),
};

/**
 * Variables named by a pattern: a pipeline's secretRef `gitops-deploy-token` is looked up as
 * RAMP_SECRET_GITOPS_DEPLOY_TOKEN (src/providers/secrets.ts). Their values are never printed.
 */
export const patternVariables: readonly { name: string; description: string; readers: readonly Reader[] }[] = [
  {
    name: 'RAMP_SECRET_<NAME>',
    description:
      'the secret a pipeline names by secretRef (a Git token, a Prometheus header, a webhook secret); <NAME> is the secretRef upper-cased, other characters as _',
    readers: ['worker'],
  },
  {
    name: 'RAMP_SECRET_<NAME>_USERNAME',
    description: 'the user name sent with a Git token (default x-access-token)',
    readers: ['worker'],
  },
];

export const workerSchema = z.object(workerVariables);
export const cliSchema = z.object(cliVariables);
export const serverSchema = z.object(serverVariables);
/** Every RAMP_* variable with a fixed name. */
export const settingsSchema = z.object({ ...workerVariables, ...cliVariables, ...serverVariables });

export type WorkerVariables = z.output<typeof workerSchema>;
export type CliVariables = z.output<typeof cliSchema>;
export type ServerVariables = z.output<typeof serverSchema>;

/** The metadata of a variable of the schema. */
export function metaOf(schema: z.ZodType): VariableMeta {
  return schema.meta() as unknown as VariableMeta;
}
