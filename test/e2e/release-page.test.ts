/**
 * The release page in Chromium, for an approval (issue 11): a promotion started through ramp
 * server (alice's real provider token) waits at production's approval gate. mallory (in no
 * group) signs in through the real OpenID Provider, sees the Approve button disabled with the
 * reason, and a POST she forges from the page with her session is refused (403) and recorded
 * (once her session is gone, the page says so at the next change);
 * bob (sre) signs in, sees the waiting approval, starts typing a comment — the page refreshes
 * live under him (another refusal) and keeps his text and focus — approves, and the record shows
 * his approval and his comment. Real provider, Temporal dev server, verifying
 * worker, GitOps remote, server on a port. The screenshot goes to docs/ui/release-page.png with
 * RAMP_UI_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { signIn } from '../harness/browser.js';
import { TEST_USERS } from '../harness/oidc.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { startUiStack, type Snapshot, type UiStack } from '../support/ui-stack.js';

/** docs/ui/release-page.png with RAMP_UI_SCREENSHOTS=1 (to refresh the docs); else a temp file, so a test run changes no tracked file. */
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/ui/release-page.png', import.meta.url));
const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const PAGE_MS = 60_000;

describe('the release page in a browser: approving, and being refused', () => {
  let stack: UiStack;
  let pipeline: string;
  let id: string;
  let releaseUrl: string;
  /** Production's status: running now, or as it finished. */
  const production = (s: Snapshot) =>
    s.activeStage?.stage === 'production' && s.activeStage.promotionId === s.promotion.promotionId
      ? s.activeStage
      : (s.promotion.stages.find((x) => x.name === 'production')?.result ?? null);
  const pending = (s: Snapshot) => production(s)?.approvals.find((a) => a.outcome === 'Pending');

  before(async () => {
    stack = await startUiStack('release-page');
    pipeline = uniqueName('page');
    await stack.addPipeline(
      pipeline,
      pipelineYaml({
        name: pipeline,
        url: stack.worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
        stages: {
          preview: {},
          production: { with: ['approval: { approvers: ["group:sre"], require: "1 of group:sre" }'], steps: ['setWeight: 50'] },
        },
      }),
    );
    id = await stack.promote('alice', pipeline, '2.0.0');
    releaseUrl = `${stack.base}/releases/${encodeURIComponent(id)}`;
    await stack.waitForSnapshot(id, (s) => s.activeStage?.phase === 'AwaitingApproval', 'production to wait for its approval');
  });

  after(async () => {
    await stack?.stop();
  });

  /** Signs `user` in (a fresh context: their own cookies) on the release page, with the islands running. */
  async function openAs(user: 'bob' | 'mallory'): Promise<Page> {
    const context = await stack.newContext();
    const page = await context.newPage();
    const { callback } = await signIn(page, { login: TEST_USERS[user].subject, issuer: stack.provider.issuer, target: releaseUrl });
    // The login hop: the callback answers a page that goes on (a 302 would lose the Strict cookie in Chrome).
    assert.equal(callback?.status(), 200, 'the callback answered the hop page');
    assert.match((await page.locator('.viewer').textContent({ timeout: PAGE_MS })) ?? '', new RegExp(`signed in as ${TEST_USERS[user].name}`));
    await page.locator('main#release[data-islands="ready"][data-live="open"]').waitFor({ timeout: PAGE_MS });
    return page;
  }

  test('mallory sees Approve disabled with the reason; her forged POST is refused (403) and recorded', async () => {
    const page = await openAs('mallory');
    const form = page.locator('form[data-ramp-action="approve"]');
    const button = form.locator('button[type="submit"]');
    assert.equal(await button.isDisabled({ timeout: PAGE_MS }), true, 'the Approve button is disabled for mallory');
    const why = (await form.locator('.why').textContent()) ?? '';
    assert.ok(await form.locator('.why').isVisible(), 'the reason is visible');
    assert.match(why, /sre/, `the reason names who may approve: ${why}`);

    // A forged request: her session cookie, the CSRF header, straight from the page.
    const action = (await form.getAttribute('action')) ?? '';
    assert.match(action, /^\/api\/v1\/promotions\/.+\/stages\/production\/approve$/);
    const forged = await page.evaluate(async (url) => {
      const res = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Ramp-Request': '1' },
        body: JSON.stringify({ comment: 'forged' }),
      });
      return { status: res.status, body: (await res.json()) as { error?: string; message?: string } };
    }, action);
    assert.equal(forged.status, 403, JSON.stringify(forged.body));
    assert.equal(forged.body.error, 'forbidden');

    // The same through the page's own form, its button enabled by hand (and clicked at once: a
    // live refresh may put the disabled one back): the refusal and its hint in the alert.
    await button.evaluate((b) => {
      b.removeAttribute('disabled');
      (b as unknown as { click(): void }).click();
    });
    const alert = page.locator('[data-ramp-notices] [role="alert"]');
    await alert.filter({ hasText: /Approve refused: / }).waitFor({ timeout: PAGE_MS });

    const recorded = await stack.waitForSnapshot(id, (s) => (pending(s)?.refused.length ?? 0) >= 2, 'both refusals on the record');
    const gate = pending(recorded)!;
    assert.deepEqual(
      gate.refused.map((r) => [r.actor, r.action]),
      [
        [TEST_USERS.mallory.name, 'approve'],
        [TEST_USERS.mallory.name, 'approve'],
      ],
    );
    assert.equal(gate.approvals.length, 0, 'nothing counted');
    assert.ok(
      stack.server.logs.some((line) => line.includes('"status":403') && line.includes('"actor":"mallory"')),
      'the server logged the refused request with her identity',
    );

    // Her session ends (the cookie is gone): at the next change the island finds out and says so.
    await page.context().clearCookies();
    const later = await stack.api('mallory', 'POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, {});
    assert.equal(later.status, 403, JSON.stringify(later.body));
    await alert.filter({ hasText: 'Your session has ended' }).waitFor({ timeout: PAGE_MS });
    await page.locator('main#release[data-live="ended"]').waitFor({ timeout: PAGE_MS });
  });

  test('bob signs in, sees the waiting approval and approves with a comment; the record shows it', async () => {
    const page = await openAs('bob');
    const waiting = (await page.locator('.waiting').textContent({ timeout: PAGE_MS })) ?? '';
    assert.match(waiting, /^Waiting: .*production.*approval/);

    // The page and the islands' script carry the security headers (the browser's own session).
    for (const path of [new URL(releaseUrl).pathname, '/assets/ramp.js', '/assets/ramp.css']) {
      const answer = await page.request.get(`${stack.base}${path}`, { maxRedirects: 0 });
      assert.equal(answer.status(), 200, path);
      assert.equal(answer.headers()['content-security-policy'], CSP, path);
      assert.equal(answer.headers()['x-content-type-options'], 'nosniff', path);
    }
    const missing = await page.request.get(`${stack.base}/releases/${encodeURIComponent(`${pipeline}@9.9.9`)}`, { maxRedirects: 0 });
    assert.equal(missing.status(), 404);
    assert.match(await missing.text(), /<h1>No such release<\/h1>/);

    const screenshot = process.env.RAMP_UI_SCREENSHOTS === '1' ? DOCS_SCREENSHOT : join(stack.dir, 'release-page.png');
    await stack.browser.screenshot(page, screenshot);
    assert.ok((await stat(screenshot)).size < 400_000, 'the screenshot stays small');

    const form = page.locator('form[data-ramp-action="approve"]');
    assert.equal(await form.locator('button[type="submit"]').isEnabled(), true, 'bob may approve');
    const comment = form.locator('textarea[name="comment"]');
    await comment.fill('canary looked fine on the dashboards');
    await comment.focus();

    // While bob types, the release changes (mallory tries again, through the API): the content is
    // replaced live, and his text and his focus stay.
    const refusals = await page.locator('main#release li.refused').count();
    const again = await stack.api('mallory', 'POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/approve`, {});
    assert.equal(again.status, 403, JSON.stringify(again.body));
    await page.locator('main#release li.refused').nth(refusals).waitFor({ timeout: PAGE_MS });
    assert.equal(await comment.inputValue(), 'canary looked fine on the dashboards');
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('name')"), 'comment', 'the focus stayed in the comment');

    await form.locator('button[type="submit"]').click();

    // The answer in the status line, then the page (refreshed, and live) shows his approval.
    const status = page.locator('[data-ramp-notices] [role="status"]');
    await status.filter({ hasText: /approv/i }).waitFor({ timeout: PAGE_MS });
    await page
      .locator('main#release')
      .filter({ hasText: 'canary looked fine on the dashboards' })
      .filter({ hasText: TEST_USERS.bob.name })
      .waitFor({ timeout: PAGE_MS });
    assert.equal(await page.locator('[data-ramp-notices] [role="alert"]').textContent(), '', 'no error');

    // Finished, so that nothing is in flight when the stack stops.
    const decided = await stack.waitForSnapshot(id, (s) => s.promotion.finishedAt !== null, 'the promotion to finish after the approval');
    assert.equal(decided.promotion.phase, 'Succeeded');
    const gate = production(decided)!.approvals[0]!;
    assert.equal(gate.outcome, 'Approved');
    assert.deepEqual(
      gate.approvals.map((d) => [d.actor, d.comment, d.identity?.subject, d.channel]),
      [[TEST_USERS.bob.name, 'canary looked fine on the dashboards', 'bob', 'web']],
    );
  });
});
