/**
 * What the web UI's browser tests run against, for real: the OpenID Provider (test/harness/oidc.ts),
 * the Temporal dev server, a verifying worker with a real GitOps remote, and ramp server on a
 * port with browser sessions; plus headless Chromium unless told not to. One per test file
 * (before/after). Options add the worker's notification channels and the server's approval
 * links and Slack interactions (test/e2e/business-approvals.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BrowserContext } from 'playwright-core';
import { freePort } from '../../scripts/lib/proc.js';
import { serverIdentity } from '../../server/identity.js';
import { listen, type Listening } from '../../server/listen.js';
import { OidcAuthenticator } from '../../src/identity/bearer.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { startBrowser, type TestBrowser } from '../harness/browser.js';
import { RAMP_AUDIENCE, startOidcProvider, WEB_CLIENT_ID, type TestOidcProvider, type TestUserName } from '../harness/oidc.js';
import { getTestEnv } from '../harness/temporal.js';
import { testServer, verifyingWorker, type TestServer, type VerifyingWorker } from './server.js';
import { waitFor } from './wait.js';

export interface Snapshot {
  promotion: PromotionStatus;
  activeStage: StageStatus | null;
}

export interface UiStack {
  env: TestWorkflowEnvironment;
  provider: TestOidcProvider;
  worker: VerifyingWorker;
  server: TestServer;
  /** Headless Chromium; absent with `{ browser: false }`. */
  browser: TestBrowser;
  /** The server's base URL, `http://127.0.0.1:<port>`. */
  base: string;
  /** A temporary folder: the server's pipelines directory. */
  dir: string;
  /** Writes `<name>.yaml` into the server's pipelines directory. */
  addPipeline(name: string, yaml: string): Promise<void>;
  /** A call to the API with `user`'s bearer token (the real code flow, once per user). */
  api(user: TestUserName, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Starts a promotion as `user`; returns its id. */
  promote(user: TestUserName, pipeline: string, version: string): Promise<string>;
  /** Polls GET /api/v1/promotions/{id} until `done` says so (generous deadline). */
  waitForSnapshot(id: string, done: (s: Snapshot) => boolean, what: string, timeoutMs?: number): Promise<Snapshot>;
  /** A new browser context (its own cookies) at a phone-or-desk viewport. */
  newContext(): Promise<BrowserContext>;
  stop(): Promise<void>;
}

export interface UiStackOptions {
  /** Start Chromium. @default true */
  browser?: boolean;
  /** The worker's notification channels and secrets (given the server's URL, known before it starts). */
  notify?: (base: string, dir: string) => Promise<Parameters<typeof verifyingWorker>[3]>;
  /** The server's approval links and Slack interactions (given the provider, for Slack's mapped people). */
  server?: (provider: TestOidcProvider) => Pick<Parameters<typeof testServer>[0], 'links' | 'slack'>;
}

export async function startUiStack(prefix: string, options: UiStackOptions = {}): Promise<UiStack> {
  // Whatever started is stopped again, in reverse, also when a later part fails to start.
  const started: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => {});
    started.length = 0;
  };
  try {
    const env = await getTestEnv();
    started.push(() => env.teardown());
    const provider = await startOidcProvider();
    started.push(() => provider.stop());
    const dir = await mkdtemp(join(tmpdir(), `ramp-${prefix}-`));
    started.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const worker = await verifyingWorker(env, dir, {}, await options.notify?.(base, dir));
    started.push(() => worker.stop());
    const identity = serverIdentity({ issuer: provider.issuer, audience: provider.audience, groupsClaim: 'groups', serviceTokensFile: undefined });
    const verifier = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE });
    const server = await testServer({
      env: { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      pipelinesDir: dir,
      keys: worker.keys,
      authenticator: identity.authenticator,
      authorize: identity.authorize,
      events: { pollMs: 300 },
      browser: {
        issuer: provider.issuer,
        clientId: WEB_CLIENT_ID,
        publicUrl: base,
        groupsClaim: 'groups',
        verifyAccessToken: (token) => verifier.verify(token),
      },
      ...options.server?.(provider),
    });
    const http: Listening = await listen(server, '127.0.0.1', port);
    started.push(() => http.stop(1_000));
    // Without Chromium, `browser` is never used (newContext throws).
    const browser = options.browser === false ? (null as unknown as TestBrowser) : await startBrowser();
    if (options.browser !== false) started.push(() => browser.stop());
    return stackOf({ env, provider, worker, server, browser, base, dir }, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function stackOf(parts: Omit<UiStack, 'addPipeline' | 'api' | 'promote' | 'waitForSnapshot' | 'newContext' | 'stop'>, stopAll: () => Promise<void>): UiStack {
  const { provider, base, dir, browser } = parts;
  const tokens = new Map<TestUserName, Promise<string>>();
  const tokenOf = (user: TestUserName) => {
    let token = tokens.get(user);
    if (!token) {
      token = provider.tokenFor(user).then((t) => t.accessToken);
      tokens.set(user, token);
    }
    return token;
  };
  const api: UiStack['api'] = async (user, method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenOf(user)}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  const contexts: BrowserContext[] = [];
  return {
    ...parts,
    addPipeline: (name, yaml) => writeFile(join(dir, `${name}.yaml`), yaml),
    api,
    async promote(user, pipeline, version) {
      const answer = await api(user, 'POST', '/api/v1/promotions', { pipeline, version });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      return String((answer.body as { promotionId?: string }).promotionId);
    },
    waitForSnapshot: (id, done, what, timeoutMs = 90_000) =>
      waitFor(
        async () => {
          const answer = await api('alice', 'GET', `/api/v1/promotions/${encodeURIComponent(id)}`);
          if (answer.status !== 200) throw new Error(`GET ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          return answer.body as Snapshot;
        },
        done,
        what,
        timeoutMs,
      ),
    async newContext() {
      if (!browser) throw new Error('this UI stack was started without Chromium ({ browser: false })');
      const context = await browser.browser.newContext({ viewport: { width: 1000, height: 700 } });
      contexts.push(context);
      return context;
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => {});
      await stopAll();
    },
  };
}
