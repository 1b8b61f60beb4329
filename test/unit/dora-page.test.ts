/** The DORA page (server/ui/dora-page.ts) from hand-built views: the four keys, the releases, the choices, a problem; escaping. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { doraPath, renderDoraPage, type DoraView } from '../../server/ui/dora-page.js';
import { REPORT } from './dora-fixtures.js';

const squash = (page: string) => page.replace(/\s+/g, ' ').replace(/> </g, '><');
const view = (more: Partial<DoraView> = {}): DoraView => ({
  viewer: 'sam',
  pipeline: 'web',
  stages: ['preview', 'staging', 'production'],
  stage: 'production',
  since: '30d',
  report: REPORT,
  problem: null,
  ...more,
});

describe('the DORA page', () => {
  test('the four keys with units and samples, catches, open failures, the releases linking to their pages', () => {
    const page = squash(renderDoraPage(view()));
    assert.match(page, /<title>DORA · web · ramp<\/title>/);
    assert.match(page, /<h1>DORA · web \/ production<\/h1>/);
    assert.match(
      page,
      /<tr data-key="deployment-frequency"><th scope="row">Deployment frequency<\/th><td>0\.10 a day \(weekly\)<\/td><td>3 deployments<\/td><\/tr>/,
    );
    assert.match(
      page,
      /<tr data-key="lead-time"><th scope="row">Lead time for changes<\/th><td>median 2h5m, p90 2h10m<\/td><td>2 samples; 1 without a source time<\/td><\/tr>/,
    );
    assert.match(
      page,
      /<tr data-key="change-failure-rate"><th scope="row">Change failure rate<\/th><td>33\.3%<\/td><td>1 of 3 deployments \(1 rollback\)<\/td><\/tr>/,
    );
    assert.match(page, /<tr data-key="recovery-time"><th scope="row">Recovery time<\/th><td>median 4m12s, p90 4m12s<\/td><td>1 sample<\/td><\/tr>/);
    assert.match(page, /<p data-key="canary-catches"> ?Canary catches: 1 \(stopped before full exposure; failure rate counting them 50%\) ?<\/p>/);
    assert.match(page, /<p data-key="open-failures">Open failures: 0<\/p>/);
    assert.match(page, /<td><a href="\/releases\/web%401\.0\.1-bad">1\.0\.1-bad<\/a><\/td><td>-<\/td><td>-<\/td><td>caught by its canary<\/td>/);
    assert.match(
      page,
      /<td><a href="\/releases\/web%401\.1\.0">1\.1\.0<\/a><\/td><td><time datetime="2026-11-21T10:00:00\.000Z">2026-11-21 10:00:00 UTC<\/time><\/td><td>2h10m<\/td><td>change failure \(rollback\), detected <time datetime="2026-11-21T10:30:00\.000Z">[^<]+<\/time>, recovered <time datetime="2026-11-21T10:34:12\.000Z">/,
    );
    assert.match(page, /ramp dora web --env production --since 30d/);
  });

  test('the environment and period choices keep each other; the current one is marked', () => {
    const page = squash(renderDoraPage(view()));
    assert.match(page, /<a href="\/pipelines\/web\/dora\?stage=preview&amp;since=30d">preview<\/a>/);
    assert.match(page, /<strong aria-current="page">production<\/strong>/);
    assert.match(page, /<a href="\/pipelines\/web\/dora\?stage=production&amp;since=7d">last 7d<\/a>/);
    assert.match(page, /<strong aria-current="page">last 30d<\/strong>/);
    assert.equal(doraPath('web'), '/pipelines/web/dora');
  });

  test('no figures: the page says why and what to do; no release: it says so', () => {
    const late = squash(renderDoraPage(view({ report: null, problem: 'The figures did not come within 20 s. Reload the page in a moment.' })));
    assert.match(late, /<p class="problem">The figures did not come within 20 s\. Reload the page in a moment\.<\/p>/);
    assert.doesNotMatch(late, /data-key=/);
    const none = squash(renderDoraPage(view({ report: { ...REPORT, releases: [] } })));
    assert.match(none, /No release reached this environment in the period\./);
  });

  test('hostile values are escaped', () => {
    const evil = '<x-evil onx="1">';
    const page = renderDoraPage(view({ problem: evil, report: null, since: evil }));
    assert.doesNotMatch(page, /<x-evil|onx="/);
    assert.equal(page.match(/<script/g)?.length, 1);
  });
});
