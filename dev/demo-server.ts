/**
 * `ramp dev`'s ramp server and its demo OpenID Provider: the release pages, sign-in and signed
 * decisions on the local stack. The provider is the real oidc-provider the tests use
 * (scripts/lib/oidc-provider), with its demo people — alice (release-managers), bob and carol
 * (sre), dave (product), mallory (no group) — who sign in with any password. The server signs
 * decisions with a key made here; the worker verifies them with its public half.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliSettings } from '../cli/connection.js';
import { startOidcProvider, type TestOidcProvider } from '../scripts/lib/oidc-provider/start.js';
import { RAMP_AUDIENCE, RAMP_RESOURCE, WEB_CLIENT_ID, type TestUserName } from '../scripts/lib/oidc-provider/users.js';
import { createServer } from '../server/app.js';
import { serverIdentity } from '../server/identity.js';
import { listen, type Listening } from '../server/listen.js';
import { generateDecisionKeys } from '../src/identity/decision-signature.js';

/** Where the demo server and provider listen (fixed, so that the printed URLs stay the same). */
export const DEMO_SERVER_PORT = 8480;
export const DEMO_PROVIDER_PORT = 8481;

export interface DemoServer {
  /** `http://127.0.0.1:8480`: the web pages and /api/v1. */
  url: string;
  /** The demo OpenID Provider's issuer. */
  issuer: string;
  /** The public keys the worker verifies decisions with (RAMP_DECISION_KEYS_FILE). */
  decisionKeysFile: string;
  /** A real access token for a demo person, through the provider's code + PKCE flow. */
  tokenFor(user: TestUserName): Promise<string>;
  /** The release page of a promotion. */
  releasePage(promotionId: string): string;
  stop(): Promise<void>;
}

/** Starts the provider, writes the decision keys; `serve` then starts the server against Temporal. */
export async function startDemoIdentity(dir: string): Promise<{ provider: TestOidcProvider; decisionKeysFile: string; serve: (temporalAddress: string, pipelinesDir: string) => Promise<DemoServer> }> {
  const provider = await startOidcProvider({ port: DEMO_PROVIDER_PORT }).catch((error: unknown) => {
    throw new Error(`could not start the demo OpenID Provider on 127.0.0.1:${DEMO_PROVIDER_PORT} (is the port taken?): ${(error as Error).message}`);
  });
  const keys = await generateDecisionKeys('ramp-dev');
  const decisionKeysFile = path.join(dir, 'decision-keys.json');
  await writeFile(decisionKeysFile, JSON.stringify(keys.publicKeys, null, 2));

  const serve = async (temporalAddress: string, pipelinesDir: string): Promise<DemoServer> => {
    const url = `http://127.0.0.1:${DEMO_SERVER_PORT}`;
    const env = { TEMPORAL_ADDRESS: temporalAddress };
    const settings = cliSettings({ stdout: () => {}, stderr: () => {}, isTty: false, cwd: dir, env }, {});
    const identity = serverIdentity({ issuer: provider.issuer, audience: RAMP_AUDIENCE, groupsClaim: 'groups', serviceTokensFile: undefined });
    const log = createWriteStream(path.join(dir, 'server.log'), { flags: 'a' });
    const write = (event: unknown) => void log.write(`${JSON.stringify(event)}\n`);
    const server = createServer({
      authenticator: identity.authenticator,
      authorize: identity.authorize,
      signingKey: keys.signing,
      temporal: { settings, env },
      pipelinesDir,
      // The demo's log is ramp dev's output: the server's lines go to DIR/server.log.
      logger: { info: write, error: write },
      browser: {
        issuer: provider.issuer,
        clientId: WEB_CLIENT_ID,
        publicUrl: url,
        resource: RAMP_RESOURCE,
        groupsClaim: 'groups',
        verifyAccessToken: (token) => identity.oidc!.verify(token),
      },
    });
    let listening: Listening;
    try {
      listening = await listen(server, '127.0.0.1', DEMO_SERVER_PORT);
    } catch (error) {
      throw new Error(`could not start ramp server on 127.0.0.1:${DEMO_SERVER_PORT} (is the port taken?): ${(error as Error).message}`);
    }
    return {
      url,
      issuer: provider.issuer,
      decisionKeysFile,
      tokenFor: async (user) => (await provider.tokenFor(user)).accessToken,
      releasePage: (promotionId) => `${url}/releases/${encodeURIComponent(promotionId)}`,
      async stop() {
        await listening.stop(2_000);
        await new Promise<void>((done) => log.end(done));
      },
    };
  };
  return { provider, decisionKeysFile, serve };
}
