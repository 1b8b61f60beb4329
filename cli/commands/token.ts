/**
 * `ramp token create|list|revoke`: the administrator's command for service tokens, run on the
 * server's host against the store file (src/identity/service-tokens.ts). `create` prints the
 * plaintext token once; nothing else ever prints a secret.
 *
 * The file comes from --file or RAMP_SERVICE_TOKENS_FILE, read here for now (the server's
 * settings are elsewhere).
 */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../src/domain/duration.js';
import { NAME_PATTERN } from '../../src/domain/names.js';
import { UsageError, UserError } from '../../src/errors.js';
import { ServiceTokenStore, type ServiceToken } from '../../src/identity/service-tokens.js';
import { noBlankFlags, positionals, required } from '../args.js';
import { envOf, type Command } from '../command.js';
import { actorOf } from '../connection.js';
import { didYouMean } from '../did-you-mean.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';

/**
 * What a service token may be granted: the names of src/domain/permissions.ts's `Permission`
 * (kept here as literals until that module is on main).
 */
export const TOKEN_PERMISSIONS = ['promote', 'approve', 'operate', 'rollback', 'drift', 'override', 'administer'] as const;
/** The actions `operate` covers, so that `--permissions abort` can say which permission to give. */
const OPERATE_ACTIONS = ['pause', 'resume', 'skip', 'abort', 'retry'];
const NAME_RE = new RegExp(NAME_PATTERN);
const MIN_LIFETIME_MS = 60_000;

export const tokenCommand: Command = {
  name: 'token',
  summary: "Create, list and revoke service tokens for automation (on the server's host)",
  usage: `ramp token create --name NAME --permissions P[,P...] --pipelines NAME[,NAME...]|'*' [--expires 90d] [--json]
ramp token list [--json]
ramp token revoke <id> [--json]

  Service tokens let automation (an alert that aborts a promotion) call ramp server. ramp keeps
  only each token's hash, in a file readable only by its owner: run these commands on the
  server's host, as the server's user.

  create        prints the new token once (it cannot be shown again: store it in the
                automation's secret store now); with --json as { id, name, token, expiresAt, scope }
  list          every token, without secrets: id, name, scope, expiry, and whether it is
                active, expired or revoked
  revoke <id>   the token is refused from the next request on (revoking twice is fine)

  --file PATH          the token store (env RAMP_SERVICE_TOKENS_FILE), the file ramp server reads
  --name NAME          what uses the token, e.g. alertmanager
  --permissions P,...  what it may do: ${TOKEN_PERMISSIONS.join(', ')}
                       (operate covers ${OPERATE_ACTIONS.join(', ')})
  --pipelines N,...    which pipelines, or '*' for all
  --expires D          lifetime, e.g. 30d or 12h (default 90d); every token expires
  --as USER            who creates it, for the record (default $RAMP_USER, else $USER)
  --json               print the result as JSON

  ${exitCodesUsage('done', 'the store could not be read or written, or no token has that id')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        file: { type: 'string' },
        name: { type: 'string' },
        permissions: { type: 'string' },
        pipelines: { type: 'string' },
        expires: { type: 'string' },
        as: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    noBlankFlags(values);
    const [action, ...rest] = given;
    const actions = ['create', 'list', 'revoke'];
    if (action === undefined) throw new UsageError('missing <action>: create, list or revoke');
    if (!actions.includes(action)) throw new UsageError(`unknown action "${action}"${didYouMean(action, actions)}; the actions are create, list, revoke`);
    const createOnly = (['name', 'permissions', 'pipelines', 'expires', 'as'] as const).filter((flag) => values[flag] !== undefined);
    if (action !== 'create' && createOnly.length > 0) throw new UsageError(`--${createOnly[0]} is for \`ramp token create\`, not ${action}`);
    const file = values.file ?? envOf(io).RAMP_SERVICE_TOKENS_FILE;
    if (file === undefined || file.trim() === '')
      throw new UsageError('--file is required (or RAMP_SERVICE_TOKENS_FILE): the service token file ramp server reads');
    const store = new ServiceTokenStore(file);

    if (action === 'create') {
      positionals(rest, []);
      const name = required(values.name, '--name', 'what uses the token, e.g. --name alertmanager');
      const permissions = parsePermissions(required(values.permissions, '--permissions', `what the token may do (${TOKEN_PERMISSIONS.join(', ')})`));
      const pipelines = parsePipelines(required(values.pipelines, '--pipelines', "which pipelines it may act on (names, or '*' for all)"));
      const expiresAt = values.expires === undefined ? undefined : new Date(Date.now() + parseLifetime(values.expires));
      const createdBy = actorOf(io, values.as);
      const { token, serviceToken } = await storeCall(file, 'create a service token in', () =>
        store.create({ name, scope: { permissions, pipelines }, createdBy, ...(expiresAt ? { expiresAt } : {}) }),
      );
      const warning = 'This token is shown only once: store it now (ramp keeps only its hash).\n';
      if (values.json) {
        io.stdout(json({ id: serviceToken.id, name: serviceToken.name, token, expiresAt: serviceToken.expiresAt, scope: serviceToken.scope }));
        io.stderr(warning);
      } else {
        io.stdout(
          `Created service token ${serviceToken.id} (${serviceToken.name}): ${describeScope(serviceToken)}, expires ${serviceToken.expiresAt}.\n${token}\n`,
        );
        io.stdout(warning);
      }
      return ExitCode.Ok;
    }

    if (action === 'list') {
      positionals(rest, []);
      const tokens = await storeCall(file, 'read', () => store.list());
      const now = new Date();
      if (values.json) io.stdout(json(tokens.map((t) => ({ ...t, state: tokenState(t, now) }))));
      else io.stdout(renderTokens(tokens, now, file));
      return ExitCode.Ok;
    }

    const [id] = positionals(rest, ['id'] as const);
    if (!/^[0-9a-f]{16}$/.test(id)) throw new UsageError(`"${id}" is not a service token id (16 hex characters, as \`ramp token list\` shows)`);
    const tokens = await storeCall(file, 'read', () => store.list());
    const before = tokens.find((t) => t.id === id);
    if (!before) throw new UserError(`no service token ${id} in ${file}; \`ramp token list\` shows the ids`);
    const revoked = await storeCall(file, 'revoke a service token in', () => store.revoke(id));
    if (values.json) io.stdout(json({ ...revoked, state: tokenState(revoked, new Date()) }));
    else
      io.stdout(
        before.revokedAt === null
          ? `Revoked service token ${id} (${revoked.name}): it is refused from now on.\n`
          : `Service token ${id} (${revoked.name}) was already revoked at ${before.revokedAt}.\n`,
      );
    return ExitCode.Ok;
  },
};

/** `operate,abort` → checked permission names, or a usage error with the name to use. Pure. */
export function parsePermissions(text: string): string[] {
  const names = splitList(text, '--permissions');
  for (const name of names) {
    if ((TOKEN_PERMISSIONS as readonly string[]).includes(name)) continue;
    const hint = OPERATE_ACTIONS.includes(name) ? `; ${name} is part of operate` : didYouMean(name, TOKEN_PERMISSIONS);
    throw new UsageError(`unknown permission "${name}"${hint}; the permissions are ${TOKEN_PERMISSIONS.join(', ')}`);
  }
  return names;
}

/** `web,api` or `*` → pipeline names. Pure. */
export function parsePipelines(text: string): string[] {
  const names = splitList(text, '--pipelines');
  if (names.includes('*') && names.length > 1) throw new UsageError("--pipelines '*' already means every pipeline; give '*' alone or a list of names");
  for (const name of names) {
    if (name !== '*' && !NAME_RE.test(name)) throw new UsageError(`--pipelines: "${name}" is not a pipeline name (lowercase letters, digits and -), nor '*'`);
  }
  return names;
}

/** `30d` → milliseconds; at least a minute. Pure. */
export function parseLifetime(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new UsageError(`--expires: ${parsed.error}`);
  if (parsed.ms < MIN_LIFETIME_MS) throw new UsageError(`--expires ${text} is too short: give at least 1m (e.g. 30d)`);
  return parsed.ms;
}

function splitList(text: string, flag: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UsageError(`${flag} "${text}" has an empty entry; separate names with single commas`);
  return [...new Set(names)];
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** Whether a token would be accepted now. Pure. */
export function tokenState(token: Pick<ServiceToken, 'expiresAt' | 'revokedAt'>, now: Date): TokenState {
  if (token.revokedAt !== null) return 'revoked';
  return Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'active';
}

function describeScope(token: Pick<ServiceToken, 'scope'>): string {
  const pipelines = token.scope.pipelines.includes('*') ? 'every pipeline' : token.scope.pipelines.join(', ');
  return `${token.scope.permissions.join(', ')} on ${pipelines}`;
}

function renderTokens(tokens: readonly ServiceToken[], now: Date, file: string): string {
  if (tokens.length === 0) return `No service tokens in ${file}.\n`;
  const rows = [
    ['ID', 'NAME', 'PERMISSIONS', 'PIPELINES', 'STATE', 'EXPIRES', 'CREATED BY'],
    ...tokens.map((t) => {
      const state = tokenState(t, now);
      return [
        t.id,
        t.name,
        t.scope.permissions.join(','),
        t.scope.pipelines.join(','),
        state === 'revoked' ? `revoked ${t.revokedAt}` : state,
        t.expiresAt,
        t.createdBy,
      ];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** The store's failures (unreadable, invalid, unwritable file) as errors the user can act on. */
async function storeCall<T>(file: string, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof UsageError || err instanceof UserError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new UserError(`could not ${doing} ${file}: ${message}`);
  }
}
