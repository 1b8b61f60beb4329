/**
 * Issue 11's first slice end to end: a promotion started through ramp server (alice's real
 * provider token) waits at production's approval gate; bob opens /releases/<id> in Chromium, is
 * sent to the real OpenID Provider's login and consent pages, signs in, lands back on the release
 * page and reads what it waits for. Real provider, Temporal dev server, verifying worker, GitOps
 * remote and server on a port. The screenshot goes to docs/ui/release-page.png with
 * RAMP_UI_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/lib/proc.js';
import { serverIdentity } from '../../server/identity.js';
import { listen, type Listening } from '../../server/listen.js';
import { OidcAuthenticator } from '../../src/identity/bearer.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { startBrowser, type TestBrowser } from '../harness/browser.js';
import { RAMP_AUDIENCE, startOidcProvider, TEST_USERS, WEB_CLIENT_ID, type TestOidcProvider } from '../harness/oidc.js';
import { getTestEnv } from '../harness/temporal.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { testServer, verifyingWorker, type TestServer, type VerifyingWorker } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/** docs/ui/release-page.png with RAMP_UI_SCREENSHOTS=1 (to refresh the docs); else a temp file, so a test run changes no tracked file. */
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/ui/release-page.png', import.meta.url));

describe('the release page in a browser (real provider, server, worker, Temporal)', () => {
  let env: TestWorkflowEnvironment;
  let provider: TestOidcProvider;
  let worker: VerifyingWorker;
  let dir: string;
  let server: TestServer;
  let http: Listening;
  let browser: TestBrowser;
  let base: string;
  let pipeline: string;

  before(async () => {
    env = await getTestEnv();
    provider = await startOidcProvider();
    dir = await mkdtemp(join(tmpdir(), 'ramp-release-page-'));
    worker = await verifyingWorker(env, dir);
    pipeline = uniqueName('page');
    await writeFile(
      join(dir, `${pipeline}.yaml`),
      pipelineYaml({
        name: pipeline,
        url: worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
        stages: {
          preview: {},
          production: { with: ['approval: { approvers: ["group:sre"], require: "1 of group:sre" }'], steps: ['setWeight: 50'] },
        },
      }),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const identity = serverIdentity({ issuer: provider.issuer, audience: provider.audience, groupsClaim: 'groups', serviceTokensFile: undefined });
    const verifier = new OidcAuthenticator({ issuer: provider.issuer, audience: RAMP_AUDIENCE });
    server = await testServer({
      env: { TEMPORAL_ADDRESS: env.address, RAMP_TASK_QUEUE: worker.taskQueue, RAMP_UPDATE_TIMEOUT_MS: '20000' },
      pipelinesDir: dir,
      keys: worker.keys,
      authenticator: identity.authenticator,
      authorize: identity.authorize,
      browser: {
        issuer: provider.issuer,
        clientId: WEB_CLIENT_ID,
        publicUrl: base,
        groupsClaim: 'groups',
        verifyAccessToken: (token) => verifier.verify(token),
      },
    });
    http = await listen(server, '127.0.0.1', port);
    browser = await startBrowser();
  });

  after(async () => {
    await browser?.stop();
    await http?.stop(1_000);
    await worker?.stop();
    await provider?.stop();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('bob signs in through the provider and sees production waiting for its approval', async () => {
    const alice = (await provider.tokenFor('alice')).accessToken;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const started = await api('POST', '/api/v1/promotions', { pipeline, version: '2.0.0' });
    const startedBody = (await started.json()) as { promotionId?: string };
    assert.equal(started.status, 201, JSON.stringify(startedBody));
    const id = String(startedBody.promotionId);
    await waitFor(
      async () =>
        (await (await api('GET', `/api/v1/promotions/${encodeURIComponent(id)}`)).json()) as { promotion: PromotionStatus; activeStage: StageStatus | null },
      (s) => s.activeStage?.phase === 'AwaitingApproval',
      'production to wait for its approval',
      90_000,
    );

    // Without a session: to the login, which returns here.
    const anonymous = await fetch(`${base}/releases/${encodeURIComponent(id)}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    assert.equal(anonymous.headers.get('location'), `/auth/login?return=${encodeURIComponent(`/releases/${encodeURIComponent(id)}`)}`);

    // An altered session cookie counts as none.
    const forged = await fetch(`${base}/releases/${encodeURIComponent(id)}`, { redirect: 'manual', headers: { cookie: 'ramp_session=a.b.c' } });
    assert.equal(forged.status, 302);
    assert.match(forged.headers.get('location') ?? '', /^\/auth\/login\?return=/);

    const page = await browser.browser.newPage({ viewport: { width: 1000, height: 700 } });
    try {
      await page.goto(`${base}/releases/${encodeURIComponent(id)}`, { timeout: 60_000 });
      // The provider's login page (oidc-provider's devInteractions), then its consent page.
      assert.ok(page.url().startsWith(provider.issuer), `not at the provider's login: ${page.url()}`);
      await page.locator('input[name="login"]').fill(TEST_USERS.bob.subject, { timeout: 60_000 });
      await page.locator('input[name="password"]').fill('any password');
      // Submit the login form, then the consent form, each time waiting to leave the page.
      for (let form = 0; form < 3 && page.url().startsWith(provider.issuer); form++) {
        const here = page.url();
        await page.locator('button[type="submit"]').first().click({ timeout: 60_000 });
        await page.waitForURL((u) => u.href !== here, { timeout: 60_000 });
      }
      await page.waitForURL(`${base}/releases/${encodeURIComponent(id)}`, { timeout: 60_000 });

      const waiting = await page.locator('.waiting').textContent({ timeout: 60_000 });
      assert.match(waiting ?? '', /^Waiting: stage production is waiting for 1 approval\(s\) \(1 of group:sre\) from group:sre$/);
      assert.match((await page.locator('.viewer').textContent()) ?? '', /signed in as Bob Baker/);
      const stages = await page
        .locator('ol.stages > li')
        .evaluateAll((items) => items.map((li) => [li.querySelector('.name')?.textContent, li.querySelector('.phase')?.textContent]));
      assert.deepEqual(stages, [
        ['preview', 'Promoted'],
        ['production', 'AwaitingApproval'],
      ]);
      const css = await page.evaluate(`getComputedStyle(document.querySelector('.waiting')).borderLeftStyle`);
      assert.equal(css, 'solid', 'the stylesheet /assets/ramp.css applied under the CSP');

      // The page and its stylesheet carry the security headers (the browser's session cookie).
      for (const path of [`/releases/${encodeURIComponent(id)}`, '/assets/ramp.css']) {
        const answer = await page.request.get(`${base}${path}`, { maxRedirects: 0 });
        assert.equal(answer.status(), 200, path);
        const headers = answer.headers();
        assert.equal(headers['content-security-policy'], "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'", path);
        assert.equal(headers['x-content-type-options'], 'nosniff', path);
        assert.equal(headers['referrer-policy'], 'same-origin', path);
      }

      const missing = await page.request.get(`${base}/releases/${encodeURIComponent(`${pipeline}@9.9.9`)}`, { maxRedirects: 0 });
      assert.equal(missing.status(), 404);
      assert.match(await missing.text(), /<h1>No such release<\/h1>/);

      const screenshot = process.env.RAMP_UI_SCREENSHOTS === '1' ? DOCS_SCREENSHOT : join(dir, 'release-page.png');
      await browser.screenshot(page, screenshot);
      assert.ok((await stat(screenshot)).size < 300_000, 'the screenshot stays small');
    } finally {
      await page.close();
    }
  });
});
