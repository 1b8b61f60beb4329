/**
 * ramp server for tests: a fake of ramp's own Authenticator (`Bearer token-<name>` is <name>,
 * verified; anything else is refused), an authorizer that refuses `nobody`, fresh signing keys,
 * and a logger that keeps its lines. Temporal and the pipelines are the test's.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestWorker } from '../harness/temporal.js';
import { realRamp, type RealRamp } from './real-ramp.js';
import { cliSettings } from '../../cli/connection.js';
import { createServer, type RampServer } from '../../server/app.js';
import type { JSONWebKeySet } from 'jose';
import type { ServerOptions } from '../../server/context.js';
import type { SignedDecision } from '../../server/decisions.js';
import type { Limits } from '../../server/limits.js';
import type { Actor } from '../../src/identity/actor.js';
import { AuthenticationError, type Authenticator } from '../../src/identity/authenticator.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';

export const tokenOf = (name: string): string => `Bearer token-${name}`;

export function actorNamed(name: string): Actor {
  return { subject: `sub-${name}`, name, email: `${name}@example.com`, groups: [], issuer: 'https://issuer.test', method: 'oidc' };
}

export const fakeAuthenticator: Authenticator = {
  authenticate(authorization) {
    const match = /^Bearer token-([a-z]+)$/.exec(authorization ?? '');
    if (!match) return Promise.reject(new AuthenticationError(authorization ? 'the bearer token is not valid' : 'no bearer token'));
    return Promise.resolve(actorNamed(match[1]!));
  },
};

export interface TestServer extends RampServer {
  logs: string[];
  /** The public half of the server's signing key (what a worker verifies with). */
  publicKeys: JSONWebKeySet;
  /** Every decision the server signed, in order. */
  signed: SignedDecision[];
}

export async function testServer(options: {
  env: Record<string, string>;
  pipelinesDir: string;
  limits?: Partial<Limits>;
  events?: ServerOptions['events'];
  /** The signing key pair (the workers verify with its public half); fresh when absent. */
  keys?: Awaited<ReturnType<typeof generateDecisionKeys>>;
  authenticator?: Authenticator;
  authorize?: ServerOptions['authorize'];
  /** Browser sessions (/auth/*): off when absent. */
  browser?: ServerOptions['browser'];
  /** Approval links (/approve/:token): off when absent. */
  links?: ServerOptions['links'];
  /** Slack interactions: off when absent. */
  slack?: ServerOptions['slack'];
  /** The organisation's policy files, as loaded at start: none when absent. */
  policyFiles?: ServerOptions['policyFiles'];
}): Promise<TestServer> {
  const logs: string[] = [];
  const keys = options.keys ?? (await generateDecisionKeys('test'));
  const settings = cliSettings({ stdout: () => {}, stderr: () => {}, isTty: false, cwd: options.pipelinesDir, env: options.env }, {});
  const server = createServer({
    authenticator: options.authenticator ?? fakeAuthenticator,
    authorize:
      options.authorize ??
      ((actor, permission, pipeline, stage) => (actor.name === 'nobody' ? `nobody may not ${permission} ${pipeline.name}${stage ? `/${stage}` : ''}` : null)),
    signingKey: keys.signing,
    temporal: { settings, env: options.env },
    pipelinesDir: options.pipelinesDir,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.events ? { events: options.events } : {}),
    ...(options.browser ? { browser: options.browser } : {}),
    ...(options.links ? { links: options.links } : {}),
    ...(options.slack ? { slack: options.slack } : {}),
    ...(options.policyFiles ? { policyFiles: options.policyFiles } : {}),
    logger: { info: (event) => logs.push(JSON.stringify(event)), error: (event) => logs.push(JSON.stringify(event)) },
  });
  // Each signed decision is kept as well as sent.
  const signed: SignedDecision[] = [];
  const sign = server.context.sign;
  server.context.sign = async (...args) => {
    const decision = await sign(...args);
    signed.push(decision);
    return decision;
  };
  return Object.assign(server, { logs, publicKeys: keys.publicKeys, signed });
}

/**
 * A worker with ramp's real activities that verifies what a server signs: fresh decision keys
 * (as `ramp server keys` makes them; the public half in `dir`/decision-keys.json, the worker's
 * RAMP_DECISION_KEYS_FILE), a real GitOps remote, running on its own task queue until stop().
 */
export interface VerifyingWorker {
  keys: Awaited<ReturnType<typeof generateDecisionKeys>>;
  ramp: RealRamp;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function verifyingWorker(
  env: TestWorkflowEnvironment,
  dir: string,
  groups: Record<string, string[]> = {},
  notify: Parameters<typeof realRamp>[4] = {},
): Promise<VerifyingWorker> {
  const keys = await generateDecisionKeys('test');
  const decisionKeysFile = join(dir, 'decision-keys.json');
  await writeFile(decisionKeysFile, JSON.stringify(keys.publicKeys));
  const ramp = await realRamp(env, groups, undefined, { decisionKeysFile }, notify);
  const { worker, taskQueue } = await createTestWorker(env, { activities: ramp.activities });
  const running = worker.run();
  return {
    keys,
    ramp,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await ramp.cleanup();
    },
  };
}
