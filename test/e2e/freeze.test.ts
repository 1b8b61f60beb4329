/**
 * The organisation-wide freeze end to end, with real identities: the real OpenID Provider's
 * tokens, `ramp server` (in-process, on a port) signing each decision, and a worker that verifies
 * them and lets only group:sre (RAMP_FREEZE_GROUPS) declare and lift. Declared with the CLI
 * through the server, read and lifted through the API; a non-member, an unsigned command
 * straight to Temporal and a decision signed with another key are refused, and on the record.
 *
 * It uses the namespace's one `ramp-freeze` workflow (the only test that does), and ends it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createFreezeActivities } from '../../activities/freeze.js';
import { freePort } from '../../scripts/lib/proc.js';
import { sessionKeys } from '../../server/auth/session-keys.js';
import { SESSION_COOKIE, signSession } from '../../server/auth/session.js';
import { decisionSigner } from '../../server/decisions.js';
import { serverIdentity } from '../../server/identity.js';
import { listen, type Listening } from '../../server/listen.js';
import type { Actor } from '../../src/identity/actor.js';
import { generateDecisionKeys } from '../../src/identity/decision-signature.js';
import { freezeRecordQuery, freezeWorkflowId, liftFreezeUpdate, type FreezeAck, type FreezeRecord } from '../../workflows/freeze-messages.js';
import { ramp } from '../cli/helpers.js';
import { startOidcProvider, TEST_USERS, type TestOidcProvider, type TestUserName } from '../harness/oidc.js';
import { createTestWorker, getTestEnv } from '../harness/temporal.js';
import { realRamp, type RealRamp } from '../support/real-ramp.js';
import { testServer, type TestServer } from '../support/server.js';
import { refusalOf, waitFor } from '../support/wait.js';

describe('the organisation-wide freeze through ramp server, with real identities', () => {
  let env: TestWorkflowEnvironment;
  let provider: TestOidcProvider;
  let dir: string;
  let real: RealRamp;
  let worker: Worker;
  let running: Promise<void>;
  let taskQueue: string;
  let server: TestServer;
  let http: Listening;
  let base: string;
  let keys: Awaited<ReturnType<typeof generateDecisionKeys>>;
  const tokens = new Map<TestUserName, string>();

  const tokenOf = async (user: TestUserName): Promise<string> => {
    if (!tokens.has(user)) tokens.set(user, (await provider.tokenFor(user)).accessToken);
    return tokens.get(user)!;
  };
  const api = async (user: TestUserName, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokenOf(user)}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  };
  const record = () => env.client.workflow.getHandle(freezeWorkflowId(taskQueue)).query(freezeRecordQuery);
  /** The namespace's freeze workflow, gone (a previous run's, or this run's at the end). */
  const endFreeze = async () => {
    await env.client.workflow
      .getHandle(freezeWorkflowId(taskQueue))
      .terminate('freeze e2e test: clean up')
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
  };

  before(async () => {
    env = await getTestEnv();
    await endFreeze();
    provider = await startOidcProvider();
    dir = await mkdtemp(join(tmpdir(), 'ramp-freeze-e2e-'));
    keys = await generateDecisionKeys('test');
    const decisionKeysFile = join(dir, 'decision-keys.json');
    await writeFile(decisionKeysFile, JSON.stringify(keys.publicKeys));
    real = await realRamp(env, { sre: ['bob', 'carol'] }, undefined, { decisionKeysFile });
    const created = await createTestWorker(env, {
      activities: { ...real.activities, ...createFreezeActivities({ freezeGroups: ['sre'], groupsFile: real.groupsFile }) },
    });
    worker = created.worker;
    taskQueue = created.taskQueue;
    running = worker.run();
    const identity = serverIdentity({ issuer: provider.issuer, audience: provider.audience, groupsClaim: 'groups', serviceTokensFile: undefined });
    server = await testServer({
      env: { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      pipelinesDir: dir,
      keys,
      authenticator: identity.authenticator,
      authorize: identity.authorize,
      // Sessions only (the web page's channel): the test signs them as /auth/callback would.
      browser: {
        issuer: provider.issuer,
        clientId: 'ramp-web',
        publicUrl: 'http://127.0.0.1:9/unused',
        groupsClaim: 'groups',
        verifyAccessToken: () => Promise.reject(new Error('not used')),
      },
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    http = await listen(server, '127.0.0.1', port);
  });

  after(async () => {
    await http?.stop(1_000);
    await server?.close();
    if (env) await endFreeze();
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await real?.cleanup();
    await provider?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('declared with the CLI, read and lifted through the API; outsiders, unsigned and forged decisions refused on the record', async () => {
    const bob = TEST_USERS.bob.name;
    // Nothing frozen yet: the API says so without a freeze workflow.
    const before = await api('alice', 'GET', '/api/v1/freeze');
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.deepEqual(before.body, { state: null, events: [] });

    // bob (group:sre in his token) declares with the CLI through the server.
    const cliEnv = { RAMP_SERVER: base, RAMP_TOKEN: await tokenOf('bob'), RAMP_UPDATE_TIMEOUT_MS: '20000', HOME: dir };
    const declared = await ramp(['freeze', 'declare', '--reason', 'INC-7: payments degraded', '--for', '2h'], cliEnv, dir);
    assert.equal(declared.code, 0, declared.stderr);
    assert.match(declared.stdout, new RegExp(`^frozen: frozen by ${bob} \\(cli\\) since \\S+, until \\S+: INC-7: payments degraded\\n$`));

    // Everyone reads it through the API: who (verified), where, when, why, until when.
    const frozen = await api('alice', 'GET', '/api/v1/freeze');
    assert.equal(frozen.status, 200);
    const state = (frozen.body as FreezeRecord).state!;
    assert.equal(state.declaredBy.subject, 'bob');
    assert.equal(state.declaredBy.method, 'oidc');
    assert.deepEqual(state.declaredBy.groups, ['sre']);
    assert.equal(state.channel, 'cli');
    assert.equal(state.reason, 'INC-7: payments degraded');
    const hours = (Date.parse(state.until!) - Date.parse(state.declaredAt)) / 3_600_000;
    assert.ok(hours > 1.9 && hours <= 2, `until is 2 h after the declaration, got ${hours} h`);

    // The CLI shows it as well, through the server.
    const shown = await ramp(['freeze'], { ...cliEnv, RAMP_TOKEN: await tokenOf('mallory') }, dir);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^FROZEN: every promotion waits until the freeze is lifted or until ${state.until}\\.`));
    assert.match(shown.stdout, /reason {6}INC-7: payments degraded/);

    // mallory (no groups) may not lift it: 403, recorded.
    const refused = await api('mallory', 'POST', '/api/v1/freeze/lift', { reason: 'I want to deploy' });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal((refused.body as { error: string }).error, 'forbidden');
    assert.match((refused.body as { message: string }).message, /^Mallory Moss may not lift a freeze: only members of group:sre may/);

    // A blank reason is refused before anything is signed.
    const blank = await api('carol', 'POST', '/api/v1/freeze/lift', { reason: '  ' });
    assert.equal(blank.status, 400, JSON.stringify(blank.body));

    // Straight to Temporal, unsigned: the worker has decision keys, so an unverified name cannot freeze.
    const direct = await ramp(
      ['freeze', 'lift', '--reason', 'sneaky', '--as', 'bob'],
      { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      dir,
    );
    assert.equal(direct.code, 1, direct.stdout);
    assert.match(direct.stderr, /bob is not a verified identity: to freeze here, decide through ramp server/);

    // A decision signed with another key, claiming to be bob: refused by the worker's verification.
    const forger = decisionSigner((await generateDecisionKeys('forger')).signing);
    const forged = await forger('freeze', state.declaredBy, {
      promotionId: freezeWorkflowId(taskQueue),
      pipeline: '',
      version: '',
      stage: null,
      gate: 'lift',
      attempt: null,
      commit: null,
    });
    const why = await refusalOf(
      env.client.workflow
        .getHandle(freezeWorkflowId(taskQueue))
        .executeUpdate(liftFreezeUpdate, { args: [{ actor: 'bob', decision: forged.token, reason: 'forged' }], updateId: forged.decisionId }),
    );
    assert.doesNotMatch(why, /lifted/);
    assert.equal((await record()).state?.reason, 'INC-7: payments degraded', 'still frozen after the forged lift');

    // carol (group:sre) lifts it through the API.
    const lifted = await api('carol', 'POST', '/api/v1/freeze/lift', { reason: 'INC-7 resolved' });
    assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
    assert.equal((lifted.body as FreezeAck).state, null);
    assert.match((lifted.body as FreezeAck).message, new RegExp(`^the freeze is lifted \\(it was declared by ${bob} at `));
    const after = await waitFor(
      () => api('alice', 'GET', '/api/v1/freeze'),
      (r) => (r.body as FreezeRecord).state === null,
      'the API to show no freeze',
      60_000,
    );
    const events = (after.body as FreezeRecord).events;
    assert.deepEqual(
      events.map((e) => [e.kind, e.identity?.subject ?? e.actor]),
      [
        ['declared', 'bob'],
        ['refused', 'mallory'],
        ['refused', 'bob'],
        ['refused', 'bob'],
        ['lifted', 'carol'],
      ],
    );
    assert.equal(events[2]!.identity?.method, 'local-unverified', 'the unsigned command is recorded as the unverified name it carried');
    assert.match(events[3]!.message, /^lift by bob \(unverified\) refused: /, 'the forged decision counts as nobody verified');
    assert.match(events[4]!.message, /^lifted by Carol Cole \(cli\): INC-7 resolved/);

    // Lifting again: nothing is frozen (409).
    const again = await api('carol', 'POST', '/api/v1/freeze/lift', { reason: 'twice' });
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.match((again.body as { message: string }).message, /nothing is frozen/);
  });

  test('the API refuses a declaration whose end is malformed or past, before signing anything', async () => {
    const signedBefore = server.signed.length;
    for (const body of [
      { reason: 'x', until: '2020-01-01T00:00:00Z' },
      { reason: 'x', for: 'soon' },
      { reason: 'x', until: '2030-01-01T00:00:00Z', for: '1h' },
      { until: '2030-01-01T00:00:00Z' },
    ]) {
      const answer = await api('bob', 'POST', '/api/v1/freeze', body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
    }
    assert.equal(server.signed.length, signedBefore);
  });

  test('straight to Temporal: the record reads the same as through the API, and an unsigned declaration is refused', async () => {
    const directEnv = { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' };
    const declared = await ramp(['freeze', 'declare', '--reason', 'unsigned', '--as', 'bob'], directEnv, dir);
    assert.equal(declared.code, 1, declared.stdout);
    assert.match(declared.stderr, /bob is not a verified identity: to freeze here, decide through ramp server/);
    const shown = await ramp(['freeze', '--json'], directEnv, dir);
    assert.equal(shown.code, 0, shown.stderr);
    const direct = JSON.parse(shown.stdout) as FreezeRecord;
    assert.deepEqual(direct, (await api('alice', 'GET', '/api/v1/freeze')).body);
    assert.equal(direct.state, null);
    assert.match(direct.events.at(-1)!.message, /^declare by bob \(unverified\) refused: bob is not a verified identity/);
  });

  test('on the home page: the banner says who froze, when, why and until when; its forms declare and lift on the web channel', async () => {
    // carol's session, for the identity her login gives (as /auth/callback signs it).
    const me = await api('carol', 'GET', '/api/v1/me');
    assert.equal(me.status, 200, JSON.stringify(me.body));
    const carol = me.body as Actor;
    const cookie = `${SESSION_COOKIE}=${(await signSession(carol, undefined, sessionKeys(keys.signing))).token}`;
    const page = async (path: string) => {
      const answer = await fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie } });
      assert.equal(answer.status, 200, path);
      return (await answer.text()).replace(/\s+/g, ' ').replace(/> </g, '><');
    };
    /** What the page's island sends for a form (ui/actions.ts). */
    const submit = (action: string, body: Record<string, string>) =>
      fetch(`${base}${action}`, {
        method: 'POST',
        headers: { cookie, 'Content-Type': 'application/json', 'X-Ramp-Request': '1', Accept: 'application/json' },
        body: JSON.stringify(body),
      });

    const calm = await page('/');
    assert.match(calm, /<main id="home" data-fragment="\/home\/main">/);
    assert.match(calm, /Not frozen/);
    assert.match(calm, /<form class="action" data-ramp-action="declare a freeze" method="post" action="\/api\/v1\/freeze">/);

    const declared = await submit('/api/v1/freeze', { reason: 'Black Friday', for: '1d' });
    assert.equal(declared.status, 200, await declared.clone().text());
    const frozen = await page('/home/main');
    assert.match(frozen, /data-frozen="true"/);
    assert.match(frozen, /Declared by <strong>Carol Cole<\/strong> \(web\) at <time datetime="[^"]+">[^<]+<\/time>, until <time datetime="[^"]+">/);
    assert.match(frozen, /Reason: Black Friday/);
    assert.match(frozen, /<form class="action" data-ramp-action="lift the freeze" method="post" action="\/api\/v1\/freeze\/lift">/);
    const state = ((await api('alice', 'GET', '/api/v1/freeze')).body as FreezeRecord).state!;
    assert.equal(state.channel, 'web');
    assert.equal(state.declaredBy.subject, 'carol');

    // Without the island's header a cookie write is refused (CSRF), and nothing changes.
    const forgedForm = await fetch(`${base}/api/v1/freeze/lift`, {
      method: 'POST',
      headers: { cookie, 'Content-Type': 'application/json' },
      body: '{"reason":"x"}',
    });
    assert.equal(forgedForm.status, 403);
    assert.notEqual(((await api('alice', 'GET', '/api/v1/freeze')).body as FreezeRecord).state, null);

    const lifted = await submit('/api/v1/freeze/lift', { reason: 'sales over' });
    assert.equal(lifted.status, 200, await lifted.clone().text());
    assert.match(await page('/home/main'), /Not frozen/);
    const events = ((await api('alice', 'GET', '/api/v1/freeze')).body as FreezeRecord).events;
    assert.match(events.at(-1)!.message, /^lifted by Carol Cole \(web\): sales over/);
  });
});
