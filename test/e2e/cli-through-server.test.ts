/**
 * The CLI through `ramp server`, after `ramp login`: the real OpenID Provider, `ramp server` as
 * its own process (bin/ramp.js), a worker that verifies the server's signed decisions, and the
 * CLI with RAMP_SERVER (no Temporal address). The same commands run straight against Temporal —
 * a second worker without decision keys, the same pipeline under another name, `--as` for the
 * people — print the same output with the same exit codes, once the names and the ids are
 * normalised.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CommandIo } from '../../cli/command.js';
import { readCredentials } from '../../cli/credentials.js';
import { main } from '../../cli/main.js';
import { ramp, type RampRun } from '../cli/helpers.js';
import { RAMP_AUDIENCE, RAMP_RESOURCE, startOidcProvider, TEST_USERS, type TestOidcProvider, type TestUserName } from '../harness/oidc.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { waitFor } from '../support/wait.js';

const BIN = fileURLToPath(new URL('../../bin/ramp.js', import.meta.url));
const VERSION = '1.1.0';
/** The people of this test: who promotes, who approves, who may not. */
const PEOPLE = ['alice', 'bob', 'mallory'] as const satisfies readonly TestUserName[];

/** preview (direct) → production (direct, behind a gate for alice and group:sre). */
function pipelineFor(name: string, remoteUrl: string): string {
  return pipelineYaml({
    name,
    url: remoteUrl,
    stages: { preview: {}, production: { with: ['approval: { approvers: [alice, "group:sre"], minApprovals: 1 }'] } },
  });
}

/** A worker on its own task queue over its own GitOps remote. */
interface TestWorker {
  real: RealRamp;
  worker: Worker;
  running: Promise<void>;
  taskQueue: string;
}

async function startWorker(env: TestWorkflowEnvironment, decisionKeysFile?: string): Promise<TestWorker> {
  // bob is in sre by his token (server) or by the worker's groups file (direct).
  const real = await realRamp(env, { sre: ['bob', 'carol'], 'release-managers': ['alice'] }, undefined, decisionKeysFile ? { decisionKeysFile } : {});
  const { worker, taskQueue } = await createTestWorker(env, { activities: real.activities });
  return { real, worker, running: worker.run(), taskQueue };
}

async function stopWorker(w: TestWorker | undefined): Promise<void> {
  if (!w) return;
  if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
  await w.running;
  await w.real.cleanup();
}

/**
 * What legitimately differs between the two paths: the pipeline's name (so the promotion id),
 * people's names (a token's display name, `--as`'s login name), how an actor was established
 * (straight to Temporal, `(unverified)`), the `--as USER` of the commands a status suggests
 * (through the server, who acts is who logged in), times, durations, commits, run ids, which events
 * are the last few (see withoutEventLines), and a decision's signed id (only the server signs).
 */
function normalise(text: string, pipeline: string): string {
  let out = withoutEventLines(text).replaceAll(pipeline, '<pipeline>');
  for (const user of PEOPLE) out = out.replaceAll(TEST_USERS[user].name, user);
  return (
    out
      .replaceAll(' (unverified)', '')
      .replaceAll(' --as USER', '')
      .replace(/^ *"decisionId": "[^"]*",\n/gm, '')
      .replace(/\b\d{4}-\d{2}-\d{2}T[\d:.]+Z\b/g, '<time>')
      .replace(/\b\d{2}:\d{2}:\d{2}\b/g, '<time>')
      .replace(/\b[0-9a-f]{7,40}\b/g, '<sha>')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
      .replace(/\b\d+(\.\d+)?\s?(ms|s|m|h)\b/g, '<duration>')
      // Columns are as wide as their widest cell, a display name or a login name.
      .replace(/ {2,}/g, '  ')
  );
}

describe('the CLI through ramp server after ramp login', () => {
  let env: TestWorkflowEnvironment;
  let provider: TestOidcProvider;
  let dir: string;
  let verifying: TestWorker;
  let direct: TestWorker;
  let server: ChildProcess;
  let serverLog = '';
  let serverExited: Promise<number | null>;
  let url: string;
  /** The server's pipeline and the direct path's (the same YAML, another name). */
  let viaServer: string;
  let viaTemporal: string;
  /** The CLI's environment per person through the server, and straight against Temporal. */
  const serverEnv = {} as Record<(typeof PEOPLE)[number], Record<string, string>>;
  let directEnv: Record<string, string>;

  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(join(tmpdir(), 'ramp-cli-server-'));
    provider = await startOidcProvider();
    const keys = join(dir, 'keys');
    const written = await ramp(['server', 'keys', '--out', keys], {});
    assert.equal(written.code, 0, written.stderr);
    verifying = await startWorker(env, join(keys, 'decision-keys.json'));
    direct = await startWorker(env);

    const serverPipelines = join(dir, 'server-pipelines');
    const directPipelines = join(dir, 'direct-pipelines');
    await mkdir(serverPipelines);
    await mkdir(directPipelines);
    viaServer = uniqueName('srv');
    viaTemporal = uniqueName('tmp');
    await writeFile(join(serverPipelines, `${viaServer}.yaml`), pipelineFor(viaServer, verifying.real.remote.remoteUrl));
    await writeFile(join(directPipelines, `${viaTemporal}.yaml`), pipelineFor(viaTemporal, direct.real.remote.remoteUrl));

    server = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--pipelines', serverPipelines], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: env.address,
        RAMP_TASK_QUEUE: verifying.taskQueue,
        RAMP_UPDATE_TIMEOUT_MS: '20000',
        RAMP_SERVER_SIGNING_KEY_FILE: join(keys, 'signing.jwk.json'),
        RAMP_SERVER_OIDC_ISSUER: provider.issuer,
        RAMP_SERVER_OIDC_AUDIENCE: RAMP_AUDIENCE,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    serverExited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
    url = (await waitFor(
      () => Promise.resolve(/"msg":"listening","url":"([^"]+)"/.exec(serverLog)?.[1]),
      (found) => found !== undefined,
      `ramp server's listening line (its output so far: ${serverLog})`,
      120_000,
    ))!;

    for (const user of PEOPLE) {
      const home = join(dir, `home-${user}`);
      serverEnv[user] = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), RAMP_SERVER: url, RAMP_POLL_MS: '100', RAMP_UPDATE_TIMEOUT_MS: '20000' };
    }
    directEnv = {
      TEMPORAL_ADDRESS: env.address,
      RAMP_TASK_QUEUE: direct.taskQueue,
      RAMP_PIPELINES_DIR: directPipelines,
      RAMP_POLL_MS: '100',
      RAMP_UPDATE_TIMEOUT_MS: '20000',
    };
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await serverExited;
    }
    await stopWorker(verifying);
    await stopWorker(direct);
    await provider?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** `ramp login` (device grant) as `user`, who signs in on the page it names. */
  async function login(user: (typeof PEOPLE)[number]): Promise<void> {
    let out = '';
    const loginEnv = { ...serverEnv[user], RAMP_OIDC_ISSUER: provider.issuer };
    const io: CommandIo = { stdout: (t) => (out += t), stderr: (t) => (out += t), isTty: false, cwd: dir, env: loginEnv };
    const done = main(['login', '--resource', RAMP_RESOURCE], io);
    const printed = await waitFor(
      () => Promise.resolve(out),
      (o) => /enter the code \S+/.test(o),
      `ramp login (${user}) to print the verification URL and code`,
      60_000,
    );
    const [, verificationUri, userCode] = /open (\S+)\nand enter the code (\S+)/.exec(printed) ?? [];
    assert.ok(verificationUri && userCode, printed);
    await provider.completeDeviceLogin({ verificationUri, userCode }, user);
    assert.equal(await done, 0, out);
    assert.match(out, new RegExp(`Logged in to .* as ${TEST_USERS[user].name}\\.`));
  }

  /**
   * The same command both ways: as `user` through the server, and straight to Temporal as `user`
   * (`--as user` for the commands that take it, RAMP_USER for the others).
   */
  async function both(user: (typeof PEOPLE)[number], args: (pipeline: string) => string[]): Promise<{ server: RampRun; temporal: RampRun }> {
    const server = await ramp(args(viaServer), serverEnv[user], dir);
    const takesAs = ['promote', 'approve'].includes(args(viaTemporal)[0]!);
    const temporal = await ramp([...args(viaTemporal), ...(takesAs ? ['--as', user] : [])], { ...directEnv, RAMP_USER: user }, dir);
    return { server, temporal };
  }

  /** Asserts the same exit code and the same output once normalised; returns the server's run. */
  function assertSame(runs: { server: RampRun; temporal: RampRun }, what: string): RampRun {
    const { server, temporal } = runs;
    const shown = (r: RampRun, p: string) => ({ code: r.code, stdout: normalise(r.stdout, p), stderr: normalise(r.stderr, p) });
    assert.deepEqual(shown(server, viaServer), shown(temporal, viaTemporal), `${what}: through the server vs straight to Temporal`);
    return server;
  }

  const idOf = (pipeline: string) => `${pipeline}@${VERSION}`;

  test('promote, status, approve and refusals print what they print straight against Temporal', { timeout: 300_000 }, async () => {
    for (const user of PEOPLE) await login(user);

    const started = assertSame(await both('alice', (p) => ['promote', p, VERSION]), 'ramp promote');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`^started ${idOf(viaServer)}: promotion preview → production\n`));

    // Both wait for the gate.
    for (const [pipeline, cliEnv] of [
      [viaServer, serverEnv.alice],
      [viaTemporal, directEnv],
    ] as const) {
      await waitFor(
        () => ramp(['status', idOf(pipeline), '--json'], cliEnv, dir),
        (r) => r.code === 0 && (JSON.parse(r.stdout) as { activeStage: { phase?: string } | null }).activeStage?.phase === 'AwaitingApproval',
        `${idOf(pipeline)} to wait for its approval`,
        60_000,
      );
    }
    const waiting = assertSame(await both('alice', (p) => ['status', idOf(p)]), 'ramp status (awaiting approval)');
    assert.match(waiting.stdout, /^ {2}‖ production {2}AwaitingApproval {2}attempt 1 {2}\(active\)$/m);
    assert.match(waiting.stdout, new RegExp(`^To approve: {3}ramp approve ${idOf(viaServer)} --stage production$`, 'm'));
    assert.match(
      waiting.stdout,
      new RegExp(`^ {2}\\S+ \\S+ {2}promotion +started +${TEST_USERS.alice.name} +${TEST_USERS.alice.name} asked to promote ${viaServer} ${VERSION}$`, 'm'),
    );

    const refusedMallory = assertSame(
      await both('mallory', (p) => ['approve', idOf(p), '--stage', 'production', '--comment', 'let me']),
      'ramp approve by mallory',
    );
    assert.equal(refusedMallory.code, 1);
    assert.match(
      refusedMallory.stderr,
      new RegExp(`^ramp approve: ${TEST_USERS.mallory.name} is not an approver of the gate approval of production: its approvers are alice, group:sre`),
    );

    const refusedAlice = assertSame(
      await both('alice', (p) => ['approve', idOf(p), '--stage', 'production', '--comment', 'my own']),
      'ramp approve by the starter',
    );
    assert.equal(refusedAlice.code, 1);
    assert.equal(
      refusedAlice.stderr,
      `ramp approve: ${TEST_USERS.alice.name} started this promotion and may not approve it (four-eyes; the pipeline can allow it with allowSelfApproval: true)\n`,
    );

    const approved = assertSame(await both('bob', (p) => ['approve', idOf(p), '--stage', 'production', '--comment', 'ship it']), 'ramp approve by bob');
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, `${TEST_USERS.bob.name} approved the gate approval (1/1): ship it\n`);

    // --watch prints a frame per change, as many as each path happened to see: the last ones match.
    const lastFrame = (r: RampRun): RampRun => ({ ...r, stdout: r.stdout.slice(r.stdout.lastIndexOf('Promotion:')) });
    const watching = await both('alice', (p) => ['status', idOf(p), '--watch']);
    const watched = assertSame({ server: lastFrame(watching.server), temporal: lastFrame(watching.temporal) }, 'ramp status --watch until the end');
    assert.match(watched.stdout, /^Phase: {8}✔ Succeeded$/m);

    const json = await both('alice', (p) => ['status', idOf(p), '--json']);
    const actorsNamed = (r: RampRun): RampRun => ({ ...r, stdout: `${JSON.stringify(namesOfActors(JSON.parse(r.stdout)), null, 2)}\n` });
    const status = assertSame({ server: actorsNamed(json.server), temporal: actorsNamed(json.temporal) }, 'ramp status --json');
    assert.equal((JSON.parse(status.stdout) as { promotion: { phase: string } }).promotion.phase, 'Succeeded');
    // What differs is who: verified by the provider through the server, unverified straight to Temporal.
    const requester = (r: RampRun) =>
      (JSON.parse(r.stdout) as { promotion: { requester: { subject: string; method: string; groups: string[] } } }).promotion.requester;
    assert.deepEqual(requester(json.server), { ...requester(json.server), subject: 'alice', method: 'oidc', groups: ['release-managers'] });
    assert.equal(requester(json.temporal).method, 'local-unverified');

    // The server's request lines name no token.
    for (const user of PEOPLE) {
      const token = (await readCredentials(serverEnv[user]))!.accessToken;
      assert.ok(!serverLog.includes(token), `the server's log holds no token of ${user}`);
    }
    assert.match(serverLog, /"path":"\/api\/v1\/promotions\/[^"]+\/stages\/production\/approve","status":200/);
  });

  test('after ramp logout, a command through the server says to log in (exit 1)', async () => {
    const out = await ramp(['logout'], serverEnv.mallory, dir);
    assert.equal(out.code, 0, out.stderr);
    const status = await ramp(['status', idOf(viaServer)], serverEnv.mallory, dir);
    assert.equal(status.code, 1, status.stdout);
    assert.match(status.stderr, /^ramp status: not logged in or the token expired: run ramp login/);
  });
});

/**
 * The status without its event lines (the Events header stays): the last events of a promotion
 * and of its stages (workflows of their own) interleave as their timing had it, on either path,
 * so which ones are the last few differs. `ramp status --json` compares all of them, as a set.
 */
function withoutEventLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(line))
    .join('\n');
}

/** The JSON with each actor (`{ subject, name, method, ... }`) as its name (who differs, not what), its events as a set. */
function namesOfActors(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(namesOfActors);
  if (value === null || typeof value !== 'object') return value;
  if ('subject' in value && 'method' in value && 'name' in value) return value.name;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const named = namesOfActors(v);
      if (k !== 'events' || !Array.isArray(named)) return [k, named];
      // As a set (see withoutEventLines).
      const key = (e: unknown) => JSON.stringify({ ...(e as object), at: null });
      return [k, [...named].sort((a, b) => key(a).localeCompare(key(b)))];
    }),
  );
}
