/** `ramp server`: the HTTP API in front of Temporal; `ramp server keys`: its decision-signing keys. */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../../src/errors.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { parseSettings } from '../../src/settings/parse.js';
import { variablesUsage } from '../../src/settings/usage.js';
import { serverVariables } from '../../src/settings/variables.js';
import { noBlankFlags, positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { TEMPORAL_FLAGS_USAGE, cliSettings, temporalFlags } from '../connection.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import type { ServerRun } from '../../server/run.js';

/**
 * server/run.ts next to this file's own build (dist/ when compiled, the sources under tsx),
 * imported only when the server runs: the other commands never load hono and the routes.
 */
const SERVER_RUN = new URL(`../../server/run${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export const serverCommand: Command = {
  name: 'server',
  summary: 'Run the HTTP API (ramp server), or write its decision-signing keys (ramp server keys)',
  usage: `ramp server [--listen HOST:PORT] [--pipelines DIR] [--address HOST:PORT] [--namespace NS]
ramp server keys --out DIR [--kid ID]

  Serves ramp's JSON API (/api/v1, docs/api/openapi.json) in the foreground until SIGINT or
  SIGTERM; then it stops accepting, ends the event streams, and gives requests in flight
  RAMP_SERVER_SHUTDOWN_GRACE to finish. Stateless: run as many as you like. Every decision it
  forwards is signed with the key in RAMP_SERVER_SIGNING_KEY_FILE; workers verify it with the
  public keys. Pipelines are the server's own (--pipelines), named by callers, never sent.

  --listen HOST:PORT   where to listen (default $RAMP_SERVER_LISTEN or 127.0.0.1:8480)
  --pipelines DIR      the pipelines callers may name (default $RAMP_PIPELINES_DIR or ./pipelines)
${TEMPORAL_FLAGS_USAGE}

  keys --out DIR       write two fresh key pairs. Decisions: DIR/signing.jwk.json (private,
                       mode 0600: the servers' RAMP_SERVER_SIGNING_KEY_FILE) and
                       DIR/decision-keys.json (the public JWKS the workers verify with).
                       Approval links: DIR/link-signing.jwk.json (private, mode 0600: the
                       workers' RAMP_LINK_SIGNING_KEY_FILE) and DIR/link-keys.json (the public
                       JWKS: the servers' RAMP_SERVER_LINK_KEYS_FILE). Existing files are not
                       overwritten
  --kid ID             the decision key's id (default ramp-<today>; the link key's is <ID>-link)

${variablesUsage('server')}

  ${exitCodesUsage('stopped cleanly (keys: written)', 'could not start or failed (the message says why)')}`,

  async run(args, io) {
    if (args[0] === 'keys') return writeKeys(args.slice(1), io.cwd, io.stdout);
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...temporalFlags, listen: { type: 'string' }, pipelines: { type: 'string' } },
    });
    positionals(given, [] as const);
    noBlankFlags(values);
    const env = envOf(io);
    const variables = parseSettings(serverVariables, env);
    const signingKeyFile = variables.RAMP_SERVER_SIGNING_KEY_FILE;
    if (signingKeyFile === undefined) {
      throw new UsageError('set RAMP_SERVER_SIGNING_KEY_FILE to the private key the server signs decisions with; `ramp server keys --out DIR` writes one');
    }
    const listen = values.listen ?? variables.RAMP_SERVER_LISTEN;
    if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(listen) || Number(listen.slice(listen.lastIndexOf(':') + 1)) > 65_535) {
      throw new UsageError(`--listen ${JSON.stringify(listen)} is not host:port (e.g. 127.0.0.1:8480 or 0.0.0.0:8480)`);
    }
    const run: ServerRun = {
      settings: cliSettings(io, values),
      env,
      listen,
      pipelinesDir: resolve(io.cwd, values.pipelines ?? env.RAMP_PIPELINES_DIR?.trim() ?? 'pipelines'),
      signingKeyFile: resolve(io.cwd, signingKeyFile),
      identity: {
        issuer: variables.RAMP_SERVER_OIDC_ISSUER,
        audience: variables.RAMP_SERVER_OIDC_AUDIENCE,
        groupsClaim: variables.RAMP_SERVER_OIDC_GROUPS_CLAIM,
        allowNonce: variables.RAMP_SERVER_OIDC_ALLOW_NONCE === 'true',
        serviceTokensFile: variables.RAMP_SERVICE_TOKENS_FILE ? resolve(io.cwd, variables.RAMP_SERVICE_TOKENS_FILE) : undefined,
        web: {
          clientId: variables.RAMP_SERVER_OIDC_CLIENT_ID,
          clientSecretFile: variables.RAMP_SERVER_OIDC_CLIENT_SECRET_FILE ? resolve(io.cwd, variables.RAMP_SERVER_OIDC_CLIENT_SECRET_FILE) : undefined,
          publicUrl: variables.RAMP_SERVER_PUBLIC_URL,
          resource: variables.RAMP_SERVER_OIDC_RESOURCE,
        },
      },
      limits: { bodyBytes: variables.RAMP_SERVER_BODY_LIMIT, ratePerSecond: variables.RAMP_SERVER_RATE, rateBurst: variables.RAMP_SERVER_BURST },
      graceMs: durationMs(variables.RAMP_SERVER_SHUTDOWN_GRACE),
      eventsPollMs: durationMs(variables.RAMP_SERVER_EVENTS_POLL),
      linkKeysFile: variables.RAMP_SERVER_LINK_KEYS_FILE ? resolve(io.cwd, variables.RAMP_SERVER_LINK_KEYS_FILE) : undefined,
      slack: {
        signingSecretFile: variables.RAMP_SERVER_SLACK_SIGNING_SECRET_FILE ? resolve(io.cwd, variables.RAMP_SERVER_SLACK_SIGNING_SECRET_FILE) : undefined,
        usersFile: variables.RAMP_SERVER_SLACK_USERS_FILE ? resolve(io.cwd, variables.RAMP_SERVER_SLACK_USERS_FILE) : undefined,
        botTokenFile: variables.RAMP_SERVER_SLACK_BOT_TOKEN_FILE ? resolve(io.cwd, variables.RAMP_SERVER_SLACK_BOT_TOKEN_FILE) : undefined,
      },
      policyFiles: variables.RAMP_POLICY_FILES.map((file) => resolve(io.cwd, file)),
      temporalUiUrl: variables.RAMP_TEMPORAL_UI_URL,
      stdout: io.stdout,
      stderr: io.stderr,
    };
    const { runServer } = (await import(SERVER_RUN)) as { runServer: (run: ServerRun) => Promise<void> };
    await runServer(run);
    return ExitCode.Ok;
  },
};

async function writeKeys(args: string[], cwd: string, stdout: (text: string) => void): Promise<ExitCode> {
  const { values, positionals: given } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, kid: { type: 'string' } } });
  positionals(given, [] as const);
  noBlankFlags(values);
  if (values.out === undefined) throw new UsageError('say where to write the keys with --out DIR');
  const dir = resolve(cwd, values.out);
  const { signing, publicKeys } = await generateDecisionKeys(...(values.kid ? [values.kid] : []));
  // The link key is another pair, the other way round: workers sign links, servers verify them.
  const link = await generateDecisionKeys(`${signing.kid}-link`);
  await mkdir(dir, { recursive: true });
  const privateFile = join(dir, 'signing.jwk.json');
  const publicFile = join(dir, 'decision-keys.json');
  const linkPrivateFile = join(dir, 'link-signing.jwk.json');
  const linkPublicFile = join(dir, 'link-keys.json');
  for (const file of [privateFile, publicFile, linkPrivateFile, linkPublicFile]) {
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      throw new UsageError(`${file} already exists; remove it first or choose another --out`);
  }
  await writeFile(privateFile, `${JSON.stringify(signing.jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await writeFile(publicFile, `${JSON.stringify(publicKeys, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
  await writeFile(linkPrivateFile, `${JSON.stringify(link.signing.jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await writeFile(linkPublicFile, `${JSON.stringify(link.publicKeys, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
  stdout(
    `wrote ${privateFile} (private, mode 0600: RAMP_SERVER_SIGNING_KEY_FILE for the servers)\n` +
      `wrote ${publicFile} (public keys for the workers; key id ${signing.kid})\n` +
      `wrote ${linkPrivateFile} (private, mode 0600: RAMP_LINK_SIGNING_KEY_FILE for the workers, which sign approval links)\n` +
      `wrote ${linkPublicFile} (public keys for the servers: RAMP_SERVER_LINK_KEYS_FILE; key id ${link.signing.kid})\n`,
  );
  return ExitCode.Ok;
}

/** `10s`, `500ms`, `1.5m` → milliseconds (the variable's schema checked the form). */
function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim());
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match?.[2] ?? 's') as 'ms'];
  return Math.round(Number(match?.[1] ?? 10) * unit);
}
