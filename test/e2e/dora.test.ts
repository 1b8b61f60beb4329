/**
 * DORA from a real sequence on the dev server (docs/dora.md): the CLI straight to Temporal, a
 * worker with the real activities over a real GitOps remote. 1.0.0 is promoted with its source
 * time two hours ago and deployed; 1.0.1-bad is aborted while its production canary is live
 * (caught); 1.1.0 is deployed, then production is rolled back to 1.0.0 (a change failure, and its
 * recovery). `ramp dora --json` and GET /api/v1/pipelines/{pipeline}/dora then report exactly that,
 * the same report both ways.
 *
 * The figures come from src/dora/compute.ts (the dora-compute branch): with its stub this test
 * stops at the first figure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DoraReport } from '../../src/dora/report.js';
import { startCliStack, type CliStack } from '../cli/helpers.js';
import { getTestEnv } from '../harness/temporal.js';
import { pipelineYaml } from '../support/pipelines.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { actorNamed, testServer, tokenOf, type TestServer } from '../support/server.js';
import { sessionKeys } from '../../server/auth/session-keys.js';
import { SESSION_COOKIE, signSession } from '../../server/auth/session.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { waitFor } from '../support/wait.js';

const STEP_MS = 60_000;
const HOUR_S = 3600;

interface StatusJson {
  promotion: { phase: string };
  activeStage: { stage: string; phase: string } | null;
}

describe('ramp dora on a real sequence of promotions, an abort and a rollback', () => {
  let env: TestWorkflowEnvironment;
  let real: RealRamp;
  let stack: CliStack;
  let server: TestServer;
  let pipeline: string;
  let since: string;
  let sourceTime: string;
  /** alice's browser session. */
  let cookie: string;
  const page = async (path: string, session = true) => {
    const answer = await server.app.request(path, { redirect: 'manual', headers: session ? { cookie } : {} });
    return { status: answer.status, location: answer.headers.get('location'), html: (await answer.text()).replace(/\s+/g, ' ').replace(/> </g, '><') };
  };

  const run = async (args: string[]) => {
    const result = await stack.run(args);
    assert.equal(result.code, 0, `ramp ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const status = async (id: string): Promise<StatusJson> => JSON.parse((await run(['status', id, '--json'])).stdout) as StatusJson;
  const until = (id: string, done: (s: StatusJson) => boolean, what: string) => waitFor(() => status(id), done, what, STEP_MS);
  const pausedInProduction = (id: string) =>
    until(id, (s) => s.activeStage?.stage === 'production' && s.activeStage.phase === 'Paused', `${id}: its production canary, paused`);
  const finished = async (id: string, phase: string) => {
    const last = await until(id, (s) => !['Running', 'Paused', 'AwaitingApproval', 'WaitingForEnvironment'].includes(s.promotion.phase), `${id} to finish`);
    assert.equal(last.promotion.phase, phase, `${id} ended ${last.promotion.phase}`);
  };

  before(async () => {
    env = await getTestEnv();
    real = await realRamp(env);
    stack = await startCliStack(real.activities, { env });
    pipeline = await stack.pipeline('dora', (name) =>
      pipelineYaml({ name, url: real.remote.remoteUrl, stages: { preview: {}, production: { steps: ['setWeight: 50', 'pause: {}'] } } }),
    );
    since = new Date(Date.now() - 60_000).toISOString();
    sourceTime = new Date(Date.now() - 2 * HOUR_S * 1000).toISOString();

    // 1.0.0: deployed, its lead time from a source commit two hours old.
    await run(['promote', pipeline, '1.0.0', '--source-commit', 'a1b2c3d4e5f6', '--source-time', sourceTime]);
    await pausedInProduction(`${pipeline}@1.0.0`);
    await run(['resume', `${pipeline}@1.0.0`, '--stage', 'production']);
    await finished(`${pipeline}@1.0.0`, 'Succeeded');

    // 1.0.1-bad: its production canary is live at 50% when it is aborted: caught, never deployed.
    await run(['promote', pipeline, '1.0.1-bad', '--source-commit', 'bad0bad0bad0', '--source-time', sourceTime]);
    await pausedInProduction(`${pipeline}@1.0.1-bad`);
    await run(['abort', `${pipeline}@1.0.1-bad`, '--reason', 'error rate 7% on the canary']);
    await finished(`${pipeline}@1.0.1-bad`, 'Aborted');

    // 1.1.0: deployed, then production is rolled back to 1.0.0: a change failure, recovered.
    await run(['promote', pipeline, '1.1.0', '--source-commit', 'c0ffee00c0ffee', '--source-time', new Date(Date.now() - HOUR_S * 1000).toISOString()]);
    await pausedInProduction(`${pipeline}@1.1.0`);
    await run(['resume', `${pipeline}@1.1.0`, '--stage', 'production']);
    await finished(`${pipeline}@1.1.0`, 'Succeeded');
    await run(['rollback', pipeline, '--stage', 'production', '--to', '1.0.0', '--reason', 'checkout fails on 1.1.0']);
    await finished(`${pipeline}@1.0.0:rollback:production`, 'Succeeded');

    const keys = await generateDecisionKeys('test');
    server = await testServer({
      env: stack.vars,
      pipelinesDir: stack.dir,
      keys,
      // Sessions only: no provider is reached.
      browser: {
        issuer: 'http://127.0.0.1:9/unused',
        clientId: 'ramp-web',
        publicUrl: 'http://127.0.0.1:9',
        groupsClaim: 'groups',
        verifyAccessToken: () => Promise.reject(new Error('not used')),
      },
    });
    cookie = `${SESSION_COOKIE}=${(await signSession(actorNamed('alice'), undefined, sessionKeys(keys.signing))).token}`;
  });
  after(async () => {
    await server?.close();
    await stack?.stop();
    await real?.cleanup();
  });

  test('the CLI and the API report the same figures, consistent with what happened', async () => {
    const end = new Date(Date.now() + 60_000).toISOString();
    const cli = JSON.parse((await run(['dora', pipeline, '--since', since, '--until', end, '--json'])).stdout) as DoraReport;
    assert.deepEqual([cli.pipeline, cli.stage, cli.since, cli.until], [pipeline, 'production', since, end], 'the default environment is the last stage');

    const response = await server.app.request(`/api/v1/pipelines/${pipeline}/dora?${new URLSearchParams({ since, until: end }).toString()}`, {
      headers: { authorization: tokenOf('alice') },
    });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), cli, 'the API answers what ramp dora --json prints');

    const release = (version: string) => cli.releases.find((r) => r.promotion === `${pipeline}@${version}`);
    const first = release('1.0.0');
    assert.ok(first?.deployedAt, `1.0.0 was deployed: ${JSON.stringify(cli.releases)}`);
    assert.ok(
      first.leadTimeSeconds !== null && first.leadTimeSeconds >= 2 * HOUR_S && first.leadTimeSeconds < 2 * HOUR_S + 600,
      `1.0.0's lead time: ${first.leadTimeSeconds}`,
    );
    assert.equal(first.failure, null);

    const bad = release('1.0.1-bad');
    assert.deepEqual([bad?.caught, bad?.deployedAt, bad?.failure], [true, null, null], '1.0.1-bad was caught by its canary, never deployed');

    const failed = release('1.1.0');
    assert.ok(failed?.deployedAt, '1.1.0 was deployed');
    assert.equal(failed.failure?.cause, 'rollback');
    assert.ok(failed.failure.recoveredAt !== null && failed.failure.recoveredAt >= failed.failure.detectedAt, 'recovered after it was detected');

    assert.ok(cli.deploymentFrequency.deployments >= 2, `deployments: ${cli.deploymentFrequency.deployments}`);
    assert.equal(cli.changeFailureRate.failures, 1);
    assert.deepEqual(cli.changeFailureRate.byCause, { rollback: 1, revert: 0, 'fix-forward': 0 });
    assert.equal(cli.canaryCatches.count, 1);
    assert.equal(cli.recovery.samples, 1);
    assert.equal(cli.recovery.open, 0);
    assert.ok(cli.leadTime.samples >= 2, `lead time samples: ${cli.leadTime.samples}`);
  });

  test('the human output', async () => {
    const text = (await run(['dora', pipeline, '--since', since])).stdout;
    assert.match(text, new RegExp(`^${pipeline}/production, `));
    assert.match(text, /^Canary catches: 1 /m);
    assert.match(text, /^1\.1\.0 +\S+ +.+change failure \(rollback\)/m);
  });

  test('the API refuses a bad period (400), an unknown stage (404), and anyone not signed in (401)', async () => {
    const ask = (query: string) => server.app.request(`/api/v1/pipelines/${pipeline}/dora?${query}`, { headers: { authorization: tokenOf('alice') } });
    const badSince = await ask('since=last+week');
    assert.equal(badSince.status, 400);
    assert.match(((await badSince.json()) as { message: string }).message, /since is a duration back from now \(30d, 12h, 90m, 2w\) or an ISO-8601 time/);
    const backwards = await ask('since=2026-11-20T00:00:00Z&until=2026-11-10T00:00:00Z');
    assert.equal(backwards.status, 400);
    assert.match(((await backwards.json()) as { message: string }).message, /--since \(2026-11-20T00:00:00\.000Z\) must be before --until/);
    const noStage = await ask('stage=staging');
    assert.equal(noStage.status, 404);
    assert.match(
      ((await noStage.json()) as { message: string }).message,
      new RegExp(`pipeline ${pipeline} has no stage staging; its stages: preview, production`),
    );
    const anonymous = await server.app.request(`/api/v1/pipelines/${pipeline}/dora`);
    assert.equal(anonymous.status, 401);
  });

  test('the DORA page: the same figures, for whoever is signed in', async () => {
    const shown = await page(`/pipelines/${pipeline}/dora?since=${encodeURIComponent(since)}`);
    assert.equal(shown.status, 200, shown.html);
    assert.match(shown.html, new RegExp(`<h1>DORA · ${pipeline} / production</h1>`));
    assert.match(shown.html, /<p data-key="canary-catches"> ?Canary catches: 1 /);
    assert.match(shown.html, /change failure \(rollback\)/);
  });

  test('the DORA page: to the login without a session; a page that says so for an unknown stage or a bad period', async () => {
    const anonymous = await page(`/pipelines/${pipeline}/dora`, false);
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.location, `/auth/login?return=${encodeURIComponent(`/pipelines/${pipeline}/dora`)}`);
    const shown = await page(`/pipelines/${pipeline}/dora`);
    assert.equal(shown.status, 200);
    assert.match(shown.html, new RegExp(`<h1>DORA · ${pipeline} / production</h1>`));
    assert.match(shown.html, new RegExp(`<a href="/pipelines/${pipeline}/dora\\?stage=preview&amp;since=30d">preview</a>`));
    const noStage = await page(`/pipelines/${pipeline}/dora?stage=staging`);
    assert.equal(noStage.status, 404);
    assert.match(noStage.html, /No such pipeline or environment.*has no stage staging/);
    const badPeriod = await page(`/pipelines/${pipeline}/dora?since=soon`);
    assert.equal(badPeriod.status, 400);
    assert.match(badPeriod.html, /Not a period ramp can read/);
  });
});
