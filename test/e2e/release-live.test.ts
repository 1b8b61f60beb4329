/**
 * The release page updates itself (issue 11): dave (product; he only watches) has the page of a
 * canary open in Chromium while it is paused (its first connection to the event stream refused:
 * the island connects again); alice resumes it through the API; without a reload
 * the step list moves on, the analysis fails on a real Prometheus (its query answers 0.5, the
 * failure condition is above 0.25), and the page shows the failing measurement and ramp's
 * revert, and says politely that the release was aborted. The screenshot goes to
 * docs/ui/release-aborted.png with RAMP_UI_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { signIn } from '../harness/browser.js';
import { TEST_USERS } from '../harness/oidc.js';
import { startPrometheus, type TestPrometheus } from '../harness/prometheus.js';
import { pipelineYaml, uniqueName } from '../support/pipelines.js';
import { startUiStack, type Snapshot, type UiStack } from '../support/ui-stack.js';

const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/ui/release-aborted.png', import.meta.url));
const PAGE_MS = 60_000;

/** A metric Prometheus answers at once, without scraping anything: 0.5, far above the failure condition. */
const FAILING_TEMPLATE = (address: string) => `    - name: errors
      metrics:
        - name: error-ratio
          interval: 1s
          count: 3
          successCondition: size(result) > 0 && result[0] < 0.05
          failureCondition: size(result) > 0 && result[0] > 0.25
          provider:
            prometheus:
              address: ${address}
              query: 'vector(0.5)'
`;

describe('the release page follows a canary live, to its abort', () => {
  let stack: UiStack;
  let prometheus: TestPrometheus;

  before(async () => {
    prometheus = await startPrometheus({ targets: [] });
    stack = await startUiStack('release-live');
  });

  after(async () => {
    await stack?.stop();
    await prometheus?.stop();
  });

  test('the steps move on without a reload; the failing measurement and the revert appear', async () => {
    const pipeline = uniqueName('live');
    await stack.addPipeline(
      pipeline,
      pipelineYaml({
        name: pipeline,
        url: stack.worker.ramp.remote.remoteUrl,
        access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
        analysisTemplates: FAILING_TEMPLATE(prometheus.url),
        stages: {
          preview: {},
          production: { steps: ['setWeight: 20', 'pause: {}', 'analysis: { templates: [{ templateName: errors }] }', 'setWeight: 50'] },
        },
      }),
    );
    const id = await stack.promote('alice', pipeline, '3.0.0');
    await stack.waitForSnapshot(id, (s) => s.activeStage?.stage === 'production' && s.activeStage.phase === 'Paused', 'the canary paused at its second step');

    const page = await (await stack.newContext()).newPage();
    const releaseUrl = `${stack.base}/releases/${encodeURIComponent(id)}`;
    // The first connection to the event stream fails as a server in trouble would answer: the
    // browser gives up on it (an error status), and the island connects again by itself.
    await page.route(
      '**/api/v1/promotions/*/events',
      (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: 'unavailable', message: 'Temporal is down', hint: 'wait' }),
        }),
      { times: 1 },
    );
    await signIn(page, { login: TEST_USERS.dave.subject, issuer: stack.provider.issuer, target: releaseUrl });
    await page.locator('main#release[data-islands="ready"][data-live="open"]').waitFor({ timeout: PAGE_MS });
    await page.locator('[data-ramp-notices] [role="status"]').filter({ hasText: 'Live updates resumed.' }).waitFor({ timeout: PAGE_MS });
    await page.evaluate('window.rampSameDocument = true');
    const steps = page.locator('main#release ol.steps > li');
    const before = await steps.evaluateAll((items) => items.map((li) => li.getAttribute('data-status')));
    assert.equal(before.length, 4, JSON.stringify(before));
    assert.equal(before[0], 'Succeeded', JSON.stringify(before));
    assert.notEqual(before[1], 'Succeeded', `paused at the pause step: ${JSON.stringify(before)}`);

    const resumed = await stack.api('alice', 'POST', `/api/v1/promotions/${encodeURIComponent(id)}/stages/production/resume`, {});
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));

    // The DOM changes by itself: the pause step done, then the analysis failing.
    await page.locator('main#release ol.steps > li:nth-child(2)[data-status="Succeeded"]').waitFor({ timeout: PAGE_MS });
    const measurements = page.locator('main#release table.measurements');
    await measurements.filter({ hasText: 'Failed' }).filter({ hasText: '0.5' }).first().waitFor({ timeout: PAGE_MS });

    // ramp's revert, as the record has it, on the page.
    const aborted = await stack.waitForSnapshot(
      id,
      (s: Snapshot) => s.promotion.finishedAt !== null && (s.promotion.stages.find((x) => x.name === 'production')?.result?.reverts.length ?? 0) > 0,
      'the canary aborted and reverted',
    );
    assert.equal(aborted.promotion.phase, 'Aborted');
    const production = aborted.promotion.stages.find((x) => x.name === 'production')!.result!;
    assert.equal(production.failure?.reason, 'AnalysisFailed');
    const revert = production.reverts[0]!;
    await page.locator(`main#release code[title="${revert.sha}"]`).waitFor({ timeout: PAGE_MS });
    await page.locator('main#release').filter({ hasText: 'reverts' }).waitFor({ timeout: PAGE_MS });
    await page
      .locator('[data-ramp-notices] [role="status"]')
      .filter({ hasText: /^Release Aborted: / })
      .waitFor({ timeout: PAGE_MS });
    await page.locator('main#release[data-live="ended"]').waitFor({ timeout: PAGE_MS });

    assert.equal(await page.evaluate('window.rampSameDocument'), true, 'the same document: no reload');
    const screenshot = process.env.RAMP_UI_SCREENSHOTS === '1' ? DOCS_SCREENSHOT : join(stack.dir, 'release-aborted.png');
    await stack.browser.screenshot(page, screenshot);
  });
});
