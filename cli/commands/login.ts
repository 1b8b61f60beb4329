/**
 * `ramp login`: the OAuth 2.0 device authorization grant (RFC 8628) against the OpenID Provider —
 * it prints where to go and the code to type, polls until the person has signed in there, and
 * keeps the tokens in the user's config directory (cli/credentials.ts). `ramp logout` forgets them.
 *
 * The issuer, client, resource and scope come from flags, else from RAMP_OIDC_ISSUER,
 * RAMP_OIDC_CLIENT_ID, RAMP_OIDC_RESOURCE and RAMP_OIDC_SCOPE (src/settings/variables.ts). No
 * token is ever printed.
 */
import { parseSettings } from '../../src/settings/parse.js';
import { cliVariables } from '../../src/settings/variables.js';
import { parseArgs } from 'node:util';
import * as oidc from 'openid-client';
import { UsageError, UserError } from '../../src/errors.js';
import { noBlankFlags, positionals } from '../args.js';
import { envOf, type Command } from '../command.js';
import { credentialsFrom, credentialsPath, describe, discoverClient, readCredentials, removeCredentials, saveCredentials } from '../credentials.js';
import { ExitCode, exitCodesUsage } from '../exit-codes.js';
import { json } from '../output.js';

export const DEFAULT_CLIENT_ID = 'ramp-cli';
export const DEFAULT_SCOPE = 'openid profile email offline_access';

export const loginCommand: Command = {
  name: 'login',
  summary: 'Log in to the OpenID Provider (device code) and keep the token for ramp server',
  usage: `ramp login [--issuer URL] [--client-id ID] [--resource URI] [--scope S] [--json]

  Logs in with the OAuth 2.0 device authorization grant: prints a URL and a code, waits while
  you sign in there (in any browser), then keeps the tokens in
  $XDG_CONFIG_HOME/ramp/credentials.json (default ~/.config/ramp/), readable only by you.
  Commands refresh the access token with the refresh token when it expires.

  --issuer URL      the OpenID Provider (env RAMP_OIDC_ISSUER); https, or http on 127.0.0.1
  --client-id ID    the provider's public client for ramp (env RAMP_OIDC_CLIENT_ID, default ${DEFAULT_CLIENT_ID})
  --resource URI    the resource indicator of ramp's API, if the provider needs one for the
                    token's audience (env RAMP_OIDC_RESOURCE)
  --scope S         scopes to ask for (env RAMP_OIDC_SCOPE, default "${DEFAULT_SCOPE}";
                    add "groups" for providers such as Dex)
  --json            print the result as JSON (the sign-in instructions go to stderr)

  ${exitCodesUsage('logged in', 'the provider refused, the code expired, or it could not be reached')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        issuer: { type: 'string' },
        'client-id': { type: 'string' },
        resource: { type: 'string' },
        scope: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    positionals(given, []);
    noBlankFlags(values);
    const env = envOf(io);
    const variables = parseSettings(cliVariables, env);
    const issuer = values.issuer ?? variables.RAMP_OIDC_ISSUER;
    if (!issuer) throw new UsageError('--issuer is required (or RAMP_OIDC_ISSUER): the OpenID Provider to log in to');
    const clientId = values['client-id'] ?? variables.RAMP_OIDC_CLIENT_ID;
    const resource = values.resource ?? variables.RAMP_OIDC_RESOURCE ?? null;
    const scope = values.scope ?? variables.RAMP_OIDC_SCOPE;
    const say = values.json ? io.stderr : io.stdout;

    const config = await discoverClient(issuer, clientId);
    if (!config.serverMetadata().device_authorization_endpoint) {
      throw new UserError(
        `the OpenID Provider at ${issuer} offers no device authorization endpoint; enable the device grant (RFC 8628) for client ${clientId}`,
      );
    }
    let device: oidc.DeviceAuthorizationResponse;
    try {
      device = await oidc.initiateDeviceAuthorization(config, { scope, ...(resource ? { resource } : {}) });
    } catch (err) {
      throw new UserError(`the OpenID Provider at ${issuer} refused to start a device login for client ${clientId}: ${describe(err)}`);
    }
    say(
      `To log in, open ${device.verification_uri}\nand enter the code ${device.user_code}` +
        `${device.verification_uri_complete ? `\n(or open ${device.verification_uri_complete})` : ''}\n` +
        `Waiting for you to sign in (the code expires in ${Math.round(device.expires_in / 60)} min)...\n`,
    );
    const started = new Date();
    let response: Awaited<ReturnType<typeof oidc.pollDeviceAuthorizationGrant>>;
    try {
      response = await oidc.pollDeviceAuthorizationGrant(config, device, resource ? { resource } : undefined);
    } catch (err) {
      throw new UserError(`the device login at ${issuer} did not complete: ${describe(err)}; run \`ramp login\` again`);
    }
    const credentials = credentialsFrom(response, { issuer, clientId, resource, scope, now: started });
    const file = await saveCredentials(credentials, env);
    const who = credentials.name ?? credentials.subject;
    if (values.json) {
      io.stdout(
        json({
          issuer,
          clientId,
          subject: credentials.subject,
          name: credentials.name,
          expiresAt: credentials.expiresAt,
          refreshable: credentials.refreshToken !== null,
          credentials: file,
        }),
      );
    } else {
      io.stdout(
        `Logged in to ${issuer}${who ? ` as ${who}` : ''}. The access token expires at ${credentials.expiresAt}` +
          `${credentials.refreshToken ? ' and is refreshed automatically' : '; there is no refresh token, so log in again then'}.\nCredentials: ${file}\n`,
      );
    }
    return ExitCode.Ok;
  },
};

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Forget the stored login (and revoke its refresh token at the provider)',
  usage: `ramp logout [--json]

  Removes $XDG_CONFIG_HOME/ramp/credentials.json (default ~/.config/ramp/) and asks the
  provider to revoke the refresh token, when it offers revocation. Logged out already is fine.

  --json   print the result as JSON

  ${exitCodesUsage('logged out (or was not logged in)', 'the credentials file could not be removed')}`,

  async run(args, io) {
    const { values, positionals: given } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    positionals(given, []);
    const env = envOf(io);
    const file = credentialsPath(env);
    const stored = await readCredentials(env).catch(() => undefined);
    let revoked = false;
    if (stored?.refreshToken) {
      // Best effort: a provider that is gone or offers no revocation must not keep anyone logged in.
      try {
        const config = await discoverClient(stored.issuer, stored.clientId);
        if (config.serverMetadata().revocation_endpoint) {
          await oidc.tokenRevocation(config, stored.refreshToken, { token_type_hint: 'refresh_token' });
          revoked = true;
        }
      } catch {
        revoked = false;
      }
    }
    const removed = await removeCredentials(env);
    if (values.json) io.stdout(json({ removed, revoked, credentials: file }));
    else io.stdout(removed ? `Logged out: removed ${file}${revoked ? ' and revoked the refresh token' : ''}.\n` : `Not logged in (no ${file}).\n`);
    return ExitCode.Ok;
  },
};
