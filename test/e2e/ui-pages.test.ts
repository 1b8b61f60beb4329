/**
 * The home page and the release page's main content through ramp server, with plain fetch and a
 * session cookie (the browser's part is test/e2e/release-page.test.ts): a real promotion on the
 * dev server, a worker with the real activities over a real GitOps remote, verifying what the
 * server signs. The approver sees the release waiting for them on the home page and an enabled
 * Approve; someone else sees the button disabled with the reason; once approved and promoted,
 * the home page says what is live where, and the release page shows the commits ramp wrote.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/lib/proc.js';
import { sessionKeys } from '../../server/auth/session-keys.js';
import { SESSION_COOKIE, signSession } from '../../server/auth/session.js';
import { listen, type Listening } from '../../server/listen.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { getTestEnv } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { actorNamed, testServer, tokenOf, verifyingWorker, type TestServer, type VerifyingWorker } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/** The HTML with every run of whitespace as one space, and none between tags. */
const squash = (page: string) => page.replace(/\s+/g, ' ').replace(/> </g, '><');

describe('the home page and the release fragment through ramp server (real worker, Temporal, Git)', () => {
  let env: TestWorkflowEnvironment;
  let worker: VerifyingWorker;
  let dir: string;
  let server: TestServer;
  let http: Listening;
  let base: string;
  let pipeline: string;
  const cookies: Record<string, string> = {};

  before(async () => {
    env = await getTestEnv();
    dir = await mkdtemp(join(tmpdir(), 'ramp-ui-pages-'));
    worker = await verifyingWorker(env, dir);
    pipeline = uniqueName('pages');
    await writeFile(
      join(dir, `${pipeline}.yaml`),
      pipelineYaml({
        name: pipeline,
        url: worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: [alice], may: [promote, operate, rollback] }'].join('\n'),
        stages: { preview: {}, production: { with: ['approval: { approvers: [bob] }'], steps: ['setWeight: 50'] } },
      }),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = await testServer({
      env: { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      pipelinesDir: dir,
      keys: worker.keys,
      // Sessions only: no provider is reached unless /auth/login is (it is not, here).
      browser: {
        issuer: 'http://127.0.0.1:9/unused',
        clientId: 'ramp-web',
        publicUrl: base,
        groupsClaim: 'groups',
        verifyAccessToken: () => Promise.reject(new Error('not used')),
      },
    });
    http = await listen(server, '127.0.0.1', port);
    // A session as /auth/callback would set it, signed with the server's key.
    const keys = sessionKeys(worker.keys.signing);
    for (const name of ['alice', 'bob', 'carol']) cookies[name] = `${SESSION_COOKIE}=${(await signSession(actorNamed(name), undefined, keys)).token}`;
  });

  after(async () => {
    await http?.stop(1_000);
    await worker?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const page = async (path: string, who: string | null) => {
    const answer = await fetch(`${base}${path}`, { redirect: 'manual', headers: who ? { cookie: cookies[who]! } : {} });
    return { status: answer.status, headers: answer.headers, html: squash(await answer.text()) };
  };
  const api = (method: string, path: string, who: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: tokenOf(who) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const snapshot = async (id: string) =>
    (await (await api('GET', `/api/v1/promotions/${encodeURIComponent(id)}`, 'alice')).json()) as {
      promotion: PromotionStatus;
      activeStage: StageStatus | null;
    };

  test('waiting for bob: on his home page, with Approve enabled; carol sees why she may not; then what is live where', async () => {
    // Without a session: to the login, which comes back.
    const anonymous = await page('/', null);
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get('location'), '/auth/login?return=%2F');

    const started = await api('POST', '/api/v1/promotions', 'alice', { pipeline, version: '2.0.0' });
    const body = (await started.json()) as { promotionId?: string };
    assert.equal(started.status, 201, JSON.stringify(body));
    const id = String(body.promotionId);
    const release = `/releases/${encodeURIComponent(id)}`;
    await waitFor(
      () => snapshot(id),
      (s) => s.activeStage?.phase === 'AwaitingApproval',
      'production to wait for its approval',
      90_000,
    );

    const bobHome = await page('/', 'bob');
    assert.equal(bobHome.status, 200);
    assert.equal(bobHome.headers.get('cache-control'), 'no-store');
    assert.match(bobHome.headers.get('content-security-policy') ?? '', /^default-src 'self'/);
    const mine = /<ul class="waiting-for-me">(.*?)<\/ul>/.exec(bobHome.html)?.[1] ?? '';
    assert.match(
      mine,
      new RegExp(
        `<a href="${release.replace(/[.@%]/g, '\\$&')}">${pipeline} 2\\.0\\.0</a>, stage production: stage production is waiting for 1 approval\\(s\\) from bob\\. Who can unblock it: an approver \\(bob\\) approves or rejects`,
      ),
    );
    assert.ok(bobHome.html.indexOf('Waiting for you') < bobHome.html.indexOf(`>${id}</a>`), 'waiting for me comes before the running list');

    const carolHome = await page('/', 'carol');
    assert.match(carolHome.html, /Nothing waits for your approval\./);
    assert.match(carolHome.html, new RegExp(`<td><a href="[^"]+">${id.replace(/[.@]/g, '\\$&')}</a></td><td data-phase="AwaitingApproval">`));

    // The fragment: what the page wraps in <main id="release">, alone.
    const bobMain = await page(`${release}/main`, 'bob');
    assert.equal(bobMain.status, 200);
    assert.equal(bobMain.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(bobMain.html, /<main|<html/);
    assert.match(
      bobMain.html,
      /<form class="action" data-ramp-action="approve" method="post" action="\/api\/v1\/promotions\/[^"]+\/stages\/production\/approve"><label for="text-0">Comment \(optional\)<\/label><textarea id="text-0" name="comment" rows="2"><\/textarea><button type="submit">Approve<\/button><\/form>/,
    );
    assert.match(
      bobMain.html,
      new RegExp(
        `<button type="submit" disabled aria-describedby="why-2">Abort and roll back</button><p class="why" id="why-2">.*?bob may not operate production of ${pipeline}: the access block grants operate on production to alice</p>`,
      ),
    );

    const carolMain = await page(`${release}/main`, 'carol');
    assert.match(
      carolMain.html,
      new RegExp(
        `<button type="submit" disabled aria-describedby="why-0">Approve</button><p class="why" id="why-0">.*?carol is not an approver of the gate approval of production: its approvers are bob \\(carol is in no group\\)\\. Ask one of them to approve</p>`,
      ),
    );
    const alicePage = await page(release, 'alice');
    assert.match(
      alicePage.html,
      new RegExp(`<main id="release" data-fragment="${release.replace(/[.@%]/g, '\\$&')}/main" data-events="/api/v1/promotions/[^"]+/events">`),
    );
    assert.match(alicePage.html, /<button type="submit">Abort and roll back<\/button>/, 'alice may operate');

    assert.equal((await page(`${release}/main`, null)).headers.get('location'), `/auth/login?return=${encodeURIComponent(release)}`);
    const missing = await page(`/releases/${encodeURIComponent(`${pipeline}@9.9.9`)}/main`, 'bob');
    assert.equal(missing.status, 404);

    // bob approves (through the API, as the island would); the canary goes to 50 %, then all the way.
    const approved = await api('POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, 'bob', { comment: 'looks good' });
    assert.equal(approved.status, 200, await approved.text());
    await waitFor(
      () => snapshot(id),
      (s) => s.promotion.phase === 'Succeeded',
      'the promotion to succeed',
      90_000,
    );

    const after = await page(`${release}/main`, 'carol');
    assert.match(after.html, /<strong>bob<\/strong> approved <time[^>]*>[^<]*<\/time> via the CLI: <q>looks good<\/q>/);
    assert.match(after.html, /<code title="[0-9a-f]{40}">[0-9a-f]{7}<\/code> canary 2\.0\.0 at 50%/);
    assert.doesNotMatch(after.html, /class="waiting"/);
    const home = await page('/', 'carol');
    const live = new RegExp(
      `<caption> ?${pipeline} ·\\s*<a href="/pipelines/${pipeline}/dora">DORA figures</a> ?</caption>.*?<td>preview</td><td><a href="[^"]+">2\\.0\\.0</a></td><td><time[^>]*>[^<]*</time></td><td>alice</td></tr><tr><td>production</td><td><a href="[^"]+">2\\.0\\.0</a></td>`,
    );
    assert.match(home.html, live);
  });
});
