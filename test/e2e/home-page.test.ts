/**
 * The home page in Chromium (issue 11): a promotion waits at production's approval gate; bob (sre)
 * signs in through the real OpenID Provider at `/`, finds it under "Waiting for you" with a link
 * to its release page, follows it, and approves there. The screenshot goes to
 * docs/ui/home-page.png with RAMP_UI_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { signIn } from '../harness/browser.js';
import { TEST_USERS } from '../harness/oidc.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { startUiStack, type UiStack } from '../support/ui-stack.js';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/ui/home-page.png', import.meta.url));
const PAGE_MS = 60_000;

describe('the home page in a browser', () => {
  let stack: UiStack;

  before(async () => {
    stack = await startUiStack('home-page');
  });

  after(async () => {
    await stack?.stop();
  });

  test('bob sees the approval waiting for him on the home page, follows it and approves', async () => {
    const pipeline = uniqueName('home');
    await stack.addPipeline(
      pipeline,
      pipelineYaml({
        name: pipeline,
        url: stack.worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
        stages: { preview: {}, production: { with: ['approval: { approvers: ["group:sre"], require: "1 of group:sre" }'] } },
      }),
    );
    const id = await stack.promote('alice', pipeline, '4.0.0');
    await stack.waitForSnapshot(id, (s) => s.activeStage?.phase === 'AwaitingApproval', 'production to wait for its approval');

    const page = await (await stack.newContext()).newPage();
    await signIn(page, { login: TEST_USERS.bob.subject, issuer: stack.provider.issuer, target: `${stack.base}/` });
    const href = `/releases/${encodeURIComponent(id)}`;
    const waiting = page.locator('main section[aria-labelledby="mine-h"]');
    const link = waiting.locator(`a[href="${href}"]`);
    await link.waitFor({ timeout: PAGE_MS });
    assert.match((await waiting.textContent()) ?? '', /production/);

    const screenshot = process.env.RAMP_UI_SCREENSHOTS === '1' ? DOCS_SCREENSHOT : join(stack.dir, 'home-page.png');
    await stack.browser.screenshot(page, screenshot);

    await link.click();
    await page.waitForURL(`${stack.base}${href}`, { timeout: PAGE_MS });
    await page.locator('main#release[data-islands="ready"]').waitFor({ timeout: PAGE_MS });
    await page.locator('form[data-ramp-action="approve"] button[type="submit"]').click({ timeout: PAGE_MS });
    // Finished, so that nothing is in flight when the stack stops.
    const done = await stack.waitForSnapshot(id, (s) => s.promotion.finishedAt !== null, 'the promotion to finish after the approval');
    assert.equal(done.promotion.phase, 'Succeeded');
    const gate = done.promotion.stages.find((x) => x.name === 'production')?.result?.approvals[0];
    assert.deepEqual([gate?.outcome, gate?.approvals.map((d) => d.actor)], ['Approved', [TEST_USERS.bob.name]]);
  });
});
