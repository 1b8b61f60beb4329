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
import { freePort, preferredPort } from '../scripts/lib/proc.js';
import { RAMP_AUDIENCE, RAMP_RESOURCE, WEB_CLIENT_ID, type TestUserName } from '../scripts/lib/oidc-provider/users.js';
import { createServer } from '../server/app.js';
import { serverIdentity } from '../server/identity.js';
import { listen, type Listening } from '../server/listen.js';
import { generateDecisionKeys } from '../src/identity/decision-signature.js';

/** Where the demo server and provider listen when these ports are free (other ones when not: the output says which). */
export const DEMO_SERVER_PORT = 8480;
export const DEMO_PROVIDER_PORT = 8481;

export interface DemoServer {
  /** `http://127.0.0.1:8480`: the web pages and /api/v1. */
  url: string;
  /** The demo OpenID Provider's issuer. */
  issuer: string;
  /** The public keys the worker verifies decisions with (RAMP_DECISION_KEYS_FILE). */
  decisionKeysFile: string;
  /** The worker's approval-link key (RAMP_LINK_SIGNING_KEY_FILE): links in notifications open on this server. */
  linkKeyFile: string;
  /** A real access token for a demo person, through the provider's code + PKCE flow. */
  tokenFor(user: TestUserName): Promise<string>;
  /** The release page of a promotion. */
  releasePage(promotionId: string): string;
  stop(): Promise<void>;
}

/** Starts the demo provider (retrying on another port when the preferred one is taken meanwhile). */
async function startDemoProvider(): Promise<TestOidcProvider> {
  const port = await preferredPort(DEMO_PROVIDER_PORT);
  try {
    return await startOidcProvider({ port });
  } catch (error) {
    if (!/EADDRINUSE|address already in use/i.test(String(error)))
      throw new Error(`could not start the demo OpenID Provider on 127.0.0.1:${port}: ${(error as Error).message}`);
    return startOidcProvider();
  }
}

/**
 * Starts the demo provider and ramp server in front of the Temporal server at `temporalAddress`
 * (the server reaches it on first use, so the worker may start after), with fresh decision and
 * approval-link keys whose worker halves are written to `dir`. With `temporalUiUrl` (the dev
 * server's UI), release pages link their workflows into it (RAMP_TEMPORAL_UI_URL's part).
 */
export async function startDemoServer(dir: string, temporalAddress: string, pipelinesDir: string, temporalUiUrl: string | null = null): Promise<DemoServer> {
  const provider = await startDemoProvider();
  try {
    const keys = await generateDecisionKeys('ramp-dev');
    const decisionKeysFile = path.join(dir, 'decision-keys.json');
    await writeFile(decisionKeysFile, JSON.stringify(keys.publicKeys, null, 2));
    // The approval-link pair: the worker signs the links it sends, the server verifies them.
    const links = await generateDecisionKeys('ramp-dev-links');
    const linkKeyFile = path.join(dir, 'link-signing.jwk.json');
    await writeFile(linkKeyFile, JSON.stringify(links.signing.jwk, null, 2), { mode: 0o600 });

    const env = { TEMPORAL_ADDRESS: temporalAddress };
    const settings = cliSettings({ stdout: () => {}, stderr: () => {}, isTty: false, cwd: dir, env }, {});
    const identity = serverIdentity({ issuer: provider.issuer, audience: RAMP_AUDIENCE, groupsClaim: 'groups', serviceTokensFile: undefined });
    const log = createWriteStream(path.join(dir, 'server.log'), { flags: 'a' });
    const write = (event: unknown) => void log.write(`${JSON.stringify(event)}\n`);
    const serverOn = (url: string) =>
      createServer({
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
        links: { publicKeys: links.publicKeys },
        ...(temporalUiUrl ? { temporalUiUrl } : {}),
      });
    // The preferred port, else a free one; the public URL (sign-in redirects) is the one bound.
    let listening: Listening | undefined;
    let url = '';
    for (let attempt = 0; listening === undefined; attempt++) {
      const port = attempt === 0 ? await preferredPort(DEMO_SERVER_PORT) : await freePort();
      url = `http://127.0.0.1:${port}`;
      try {
        listening = await listen(serverOn(url), '127.0.0.1', port);
      } catch (error) {
        if (attempt >= 2 || !/EADDRINUSE|address already in use/i.test(String(error)))
          throw new Error(`could not start ramp server on 127.0.0.1:${port}: ${(error as Error).message}`);
      }
    }
    const bound = listening;
    return {
      url,
      issuer: provider.issuer,
      decisionKeysFile,
      linkKeyFile,
      tokenFor: async (user) => (await provider.tokenFor(user)).accessToken,
      releasePage: (promotionId) => `${url}/releases/${encodeURIComponent(promotionId)}`,
      async stop() {
        await bound.stop(2_000);
        await new Promise<void>((done) => log.end(done));
        await provider.stop();
      },
    };
  } catch (error) {
    await provider.stop();
    throw error;
  }
}
