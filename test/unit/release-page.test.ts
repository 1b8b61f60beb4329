/**
 * The release page rendered from hand-built snapshots: the markup contract the islands rely on
 * (main, fragment, forms, disabled reasons), the sections (steps, analyses with charts and judge
 * scores, approvals with channels and open rules, webhooks, commits, events), marks and words,
 * and escaping — hostile values from the seeded generator in every string the page shows.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { operatorHint } from '../../cli/render/operator-hint.js';
import { pageActions } from '../../server/ui/page-actions.js';
import type { PinnedRelease } from '../../server/ui/pinned.js';
import { renderProblemPage } from '../../server/ui/problem-page.js';
import { renderReleaseMain, renderReleasePage, type ReleaseView } from '../../server/ui/release-page.js';
import type { Measurement } from '../../src/domain/analysis/measurement.js';
import type { Actor } from '../../src/identity/actor.js';
import type { AnalysisResult } from '../../workflows/analysis-messages.js';
import type { PromotionStatus, StageStatus } from '../../workflows/messages.js';
import { approval, at, production, promotion } from '../cli/status-fixtures.js';
import { seedPipeline } from '../support/pipelines.js';
import { FUZZ_SEED, prng } from '../support/random.js';

/** The HTML with every run of whitespace as one space, and none between tags: what the assertions read. */
const squash = (page: string) => page.replace(/\s+/g, ' ').replace(/> ?</g, '><');

const person = (name: string, groups: string[] = []): Actor => ({
  subject: `sub-${name}`,
  name,
  email: `${name}@example.com`,
  groups,
  issuer: 'https://issuer.test',
  method: 'oidc',
});

const pinned = (): PinnedRelease => ({
  pipeline: seedPipeline({
    name: 'web',
    access: ['    grants:', '      - { who: ["group:release-managers"], may: [promote, operate, rollback] }'].join('\n'),
    stages: {
      preview: {},
      production: { with: ['approval: { approvers: ["group:sre"], require: "1 of group:sre" }'], steps: ['setWeight: 20', 'pause: {}', 'setWeight: 60'] },
    },
  }),
  release: { commit: 'c0ffee0', authors: [] },
  requestedBy: 'rm',
  kind: 'promote',
});

const waitingGate = (overrides: Partial<StageStatus> = {}) =>
  production({
    phase: 'AwaitingApproval',
    pauseReason: null,
    message: 'waiting for 1 approval(s) (1 of group:sre) from group:sre',
    currentStep: 0,
    steps: [{ index: 0, label: 'setWeight 20', status: 'Pending', startedAt: null, finishedAt: null }],
    approvals: [approval({ outcome: 'Pending', minApprovals: 1, approvals: [], approvers: ['group:sre'] })],
    ...overrides,
  });

function view(viewer: Actor, snapshot: { promotion: PromotionStatus; activeStage: StageStatus | null }, pin: PinnedRelease | null = pinned()): ReleaseView {
  const actions = pageActions({ snapshot, viewer, pinned: pin, server: { operate: null, rollback: {} } });
  const hint = operatorHint(
    snapshot,
    { throughServer: true, timeZone: 'utc' },
    pin ? { access: pin.pipeline.access ?? null, stages: pin.pipeline.stages } : null,
  );
  return { snapshot, viewer, pinned: pin, actions, hint };
}

const measurement = (value: number | null, phase: Measurement['phase'], message: string, s: number): Measurement => ({
  phase,
  value,
  error: null,
  message,
  startedAt: at(s),
  finishedAt: at(s),
  query: 'errors',
});

function analysed(): AnalysisResult {
  const judged = {
    ...measurement(42, 'Failed', 'score 42 (Fail): below marginal 75', 33),
    judgement: {
      score: 42,
      classification: 'Fail',
      reason: 'below marginal 75',
      overrides: [],
      groupScores: [],
      thresholds: {},
      metrics: [{ name: 'latency-p99', classification: 'High', reason: 'canary higher than baseline', critical: false, meanRatio: 1.8 }],
    },
  } as unknown as Measurement;
  return {
    label: 'step 2: analysis error-rate',
    phase: 'Failed',
    message: 'Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0)',
    metrics: [
      {
        name: 'error-ratio',
        dryRun: false,
        phase: 'Failed',
        message: 'failed (1) > failureLimit (0)',
        counters: { count: 3, successful: 2, failed: 1, inconclusive: 0, error: 0, consecutiveError: 0, consecutiveSuccess: 0 },
        measurements: [
          measurement(0.01, 'Successful', 'successCondition `result < 0.05` holds for result = 0.01', 30),
          measurement(0.02, 'Successful', 'successCondition `result < 0.05` holds for result = 0.02', 31),
          measurement(0.297, 'Failed', 'failureCondition `result > 0.05` holds for result = 0.297', 32),
        ],
      },
      {
        name: 'canary-judge',
        dryRun: false,
        phase: 'Failed',
        message: 'failed (1) > failureLimit (0)',
        counters: { count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0, consecutiveError: 0, consecutiveSuccess: 0 },
        measurements: [judged],
      },
    ],
    runSummary: { count: 2, successful: 0, failed: 2, inconclusive: 0, error: 0 },
    dryRunSummary: { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0 },
    startedAt: at(30),
    finishedAt: at(33),
  };
}

describe('the release page', () => {
  test('the markup contract: main with its fragment and events URLs, the island script, no inline script or style', () => {
    const page = renderReleasePage(view(person('sam', ['sre']), { promotion: promotion(), activeStage: waitingGate() }));
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<main id="release" data-fragment="\/releases\/web%401\.4\.2\/main" data-events="\/api\/v1\/promotions\/web%401\.4\.2\/events">/);
    assert.match(page, /<head>[^]*<script type="module" src="\/assets\/ramp\.js"><\/script>[^]*<\/head>/);
    assert.equal(page.match(/<script/g)?.length, 1, 'one script: the islands, from this server');
    assert.doesNotMatch(page, /\sstyle=|\son[a-z]+="/, 'no inline style or handler (the CSP refuses them)');
    assert.match(page, /<link rel="stylesheet" href="\/assets\/ramp.css"/);
    assert.match(page, /signed in as sam/);
  });

  test('the fragment is the main content, rendered by the same function', () => {
    const v = view(person('sam', ['sre']), { promotion: promotion(), activeStage: waitingGate() });
    const page = renderReleasePage(v);
    const main = renderReleaseMain(v);
    assert.ok(page.includes(`data-events="/api/v1/promotions/web%401.4.2/events">${main}</main>`));
    assert.doesNotMatch(main, /<main|<html|<head/);
  });

  test('the waiting sentence says what it waits for and who can unblock it', () => {
    const page = squash(renderReleaseMain(view(person('sam', ['sre']), { promotion: promotion(), activeStage: waitingGate() })));
    assert.match(
      page,
      /<p class="waiting" role="status">Waiting: stage production is waiting for 1 approval\(s\) \(1 of group:sre\) from group:sre\. Who can unblock it: an approver \(group:sre\) approves or rejects<\/p>/,
    );
    const paused = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: production() })));
    assert.match(paused, /Waiting: stage production is paused at step 2 until resumed\. Who can unblock it: group:release-managers resumes it/);
    const done = renderReleaseMain(
      view(person('sam'), { promotion: promotion({ phase: 'Succeeded', activeStage: null, finishedAt: at(50) }), activeStage: null }),
    );
    assert.doesNotMatch(done, /class="waiting"/);
  });

  test('actions: forms posting to the API; the permitted ones enabled, the others disabled with the reason next to them', () => {
    const sam = squash(renderReleaseMain(view(person('sam', ['sre']), { promotion: promotion(), activeStage: waitingGate() })));
    assert.match(
      sam,
      /<form class="action" data-ramp-action="approve" method="post" action="\/api\/v1\/promotions\/web%401\.4\.2\/stages\/production\/approve">\s*<label for="text-0">Comment \(optional\)<\/label>\s*<textarea id="text-0" name="comment" rows="2"><\/textarea>\s*<button type="submit">Approve<\/button>\s*<\/form>/,
    );
    assert.match(
      sam,
      /data-ramp-action="reject"[^]*?<textarea id="text-1" name="reason" required rows="2"><\/textarea>\s*<button type="submit">Reject<\/button>/,
    );
    assert.match(
      sam,
      /data-ramp-action="abort" method="post" action="\/api\/v1\/promotions\/web%401\.4\.2\/abort">[^]*?<textarea id="text-2" name="reason" required disabled rows="2"><\/textarea>\s*<button type="submit" disabled aria-describedby="why-2">Abort and roll back<\/button>\s*<p class="why" id="why-2">[^]*sam may not operate production of web: the access block grants operate on production to group:release-managers<\/p>/,
    );
    const olga = squash(renderReleaseMain(view(person('olga', ['release-managers']), { promotion: promotion(), activeStage: waitingGate() })));
    assert.match(
      olga,
      /<button type="submit" disabled aria-describedby="why-0">Approve<\/button>\s*<p class="why" id="why-0">[^]*olga is not in group:sre, which approves the gate approval of production/,
    );
  });

  test('a rollback carries its request fields and asks why', () => {
    const done = promotion({ phase: 'Succeeded', activeStage: null, finishedAt: at(50) });
    const v = view(person('olga', ['release-managers']), { promotion: done, activeStage: null });
    const actions = pageActions({ snapshot: v.snapshot, viewer: v.viewer, pinned: v.pinned, server: { operate: null, rollback: { preview: null } } });
    const main = squash(renderReleaseMain({ ...v, actions }));
    assert.match(
      main,
      /<form class="action" data-ramp-action="rollback" method="post" action="\/api\/v1\/rollbacks">\s*<input type="hidden" name="pipeline" value="web" \/><input type="hidden" name="version" value="1\.4\.2" \/><input type="hidden" name="stages" value="preview" \/>\s*<label for="text-\d+">Why roll back \(required\)<\/label><textarea id="text-\d+" name="reason" required rows="2"><\/textarea>\s*<button type="submit">Roll preview back to 1\.4\.2<\/button>/,
    );
  });

  test('stages as a timeline with marks and words; steps with set weight against live weight', () => {
    const stage = production({
      live: { sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', at: at(23), message: 'Deployment web-canary: 1 of 1 replicas available' },
    });
    const main = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: stage })));
    assert.match(
      main,
      /data-stage="preview" ?>\s*<span class="mark" aria-hidden="true">✔<\/span> ?<span class="name">preview<\/span>\s*<span class="phase" data-phase="Promoted">Promoted<\/span>/,
    );
    assert.match(
      main,
      /data-stage="production" aria-current="step">\s*<span class="mark" aria-hidden="true">‖<\/span> ?<span class="name">production<\/span>\s*<span class="phase" data-phase="Paused">Paused<\/span> ?<span class="now">\(now\)<\/span>/,
    );
    assert.match(main, /data-stage="dr" ?>\s*<span class="mark" aria-hidden="true">·<\/span> ?<span class="name">dr<\/span>/);
    assert.match(
      main,
      /Canary weight written to Git: <strong>20%<\/strong>;\s*live: <strong>canary at 20% \(seen live and healthy 09:00:23 UTC: Deployment web-canary: 1 of 1 replicas available\)<\/strong>/,
    );
    assert.match(
      main,
      /✔<\/span><span class="sr">Succeeded<\/span> 1\. setWeight 20 <span class="status">Succeeded<\/span>\s*<span class="weight">set 20%, written in <code>a1b2c3d<\/code>, live now<\/span>/,
    );
    assert.match(
      main,
      /<code title="a1b2c3d4e5f60718293a4b5c6d7e8f9012345678">a1b2c3d<\/code> canary 1\.4\.2 at 20% <time datetime="2026-11-21T09:00:21\.000Z">2026-11-21 09:00:21 UTC<\/time> ?<span class="live">\(live\)<\/span>/,
    );
    const noSync = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: production() })));
    assert.match(noSync, /live: <strong>not observed \(the stage has no sync mode\)<\/strong>/);
  });

  test('commits show the lines ramp changed, with - and + in text', () => {
    const base = production();
    const [first, ...rest] = base.commits;
    assert.ok(first, 'the fixture has a commit');
    const stage = production({
      commits: [
        {
          ...first,
          diff: [
            {
              file: 'envs/production/route.yaml',
              lines: [
                { op: '-', text: '      weight: 0 <b>' },
                { op: '+', text: '      weight: 20' },
              ],
              omitted: 3,
            },
          ],
        },
        ...rest,
      ],
    });
    const main = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: stage })));
    assert.match(main, /<details class="diff"><summary>the lines ramp changed<\/summary><p class="file"><code>envs\/production\/route\.yaml<\/code><\/p>/);
    // (squashed: whitespace runs read as one space)
    assert.match(main, /<span class="removed">- weight: 0 &lt;b&gt; <\/span><span class="added">\+ weight: 20 <\/span>… 3 more line\(s\)/);
    const before = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: base })));
    assert.doesNotMatch(before, /class="diff"/, 'records from before diffs were kept show none');
  });

  test('analyses: every measurement with value, condition and verdict, a chart per metric, judge scores', () => {
    const main = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: production({ analyses: [analysed()] }) })));
    assert.match(
      main,
      /✖<\/span><span class="sr">Failed<\/span> ?<strong>step 2: analysis error-rate<\/strong>: Metric &quot;error-ratio&quot; assessed Failed/,
    );
    assert.match(main, /<strong>error-ratio<\/strong>:\s*0\.297 &gt; 0\.05 \(failed\); failed \(1\) &gt; failureLimit \(0\)/);
    assert.match(
      main,
      /<svg class="chart" role="img" viewBox="0 0 160 40" width="160" height="40" aria-labelledby="chart-production-0-0-t chart-production-0-0-d">/,
    );
    assert.match(
      main,
      /<title id="chart-production-0-0-t">error-ratio over the run<\/title>\s*<desc id="chart-production-0-0-d">3 measurement\(s\), oldest first: 0\.01 successful, 0\.02 successful, 0\.297 failed<\/desc>/,
    );
    assert.match(main, /<polyline points="4,36 80,34\.9 156,4"/);
    assert.match(main, /<path class="failed" d="M153,1l6,6m0,-6l-6,6"/);
    assert.match(
      main,
      /<td>0\.297<\/td>\s*<td>failureCondition `result &gt; 0\.05` holds for result = 0\.297<\/td>\s*<td><span class="mark" aria-hidden="true">✖<\/span><span class="sr">Failed<\/span><\/td>/,
    );
    assert.match(main, /Every measurement of error-ratio \(the latest 3; 2 successful, 1\s*failed, 0 inconclusive, 0 errors in all\)/);
    assert.match(main, /Judge score 42 \(Fail\): below marginal 75/);
    assert.match(main, /<td>latency-p99<\/td>\s*<td>High<\/td>\s*<td>1\.8<\/td>\s*<td>canary higher than baseline<\/td>/);
  });

  test('approvals: who, when, channel, comment; refused attempts; the rules still open', () => {
    const gate = approval({
      outcome: 'Pending',
      minApprovals: 2,
      approvers: ['group:sre'],
      approvals: [{ actor: 'carol', identity: person('carol', ['sre']), at: at(20), comment: 'ship it', channel: 'link' }],
    });
    const spec = pinned();
    const production2 = spec.pipeline.stages.find((s) => s.name === 'production')!;
    production2.approval = { ...production2.approval!, minApprovals: 2, require: [{ count: 1, group: 'sre' }] };
    const main = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: waitingGate({ approvals: [gate] }) }, spec)));
    assert.match(main, /<strong>gate<\/strong>: sre 1\/1, total 1\/2; approvers group:sre/);
    assert.match(main, /<p class="open">Still open: 1 more approver<\/p>/);
    assert.match(
      main,
      /✔<\/span><span class="sr">approved<\/span> ?<strong>carol<\/strong> approved <time datetime="2026-11-21T09:00:20\.000Z">2026-11-21 09:00:20 UTC<\/time> via link: <q>ship it<\/q>/,
    );
    assert.match(main, /mallory tried to approve <time[^>]*>[^<]*<\/time>, refused: mallory is not an approver/);
  });

  test('webhooks and events', () => {
    const stage = production({
      events: [...production().events, { at: at(24), kind: 'webhook', message: 'pre-promotion webhook smoke: HTTP 200' }],
    });
    const main = squash(renderReleaseMain(view(person('sam'), { promotion: promotion(), activeStage: stage })));
    assert.match(
      main,
      /<h4>Webhooks<\/h4><ul class="webhooks"><li><time[^>]*>2026-11-21 09:00:24 UTC<\/time> pre-promotion webhook smoke: HTTP 200<\/li><\/ul>/,
    );
    assert.match(
      main,
      /<tr data-kind="approve-refused">\s*<td><time[^>]*>[^<]*<\/time><\/td>\s*<td>production<\/td>\s*<td>approve-refused<\/td>\s*<td>mallory<\/td>\s*<td>mallory is not an approver<\/td>/,
    );
    assert.match(main, /<td>promotion<\/td>\s*<td>started<\/td>\s*<td>rm<\/td>/);
  });

  test('without the pinned pipeline the page still renders, with the record’s approvers', () => {
    const main = squash(renderReleaseMain(view(person('sam', ['sre']), { promotion: promotion(), activeStage: waitingGate() }, null)));
    assert.match(main, /<button type="submit">Approve<\/button>/);
    assert.match(main, /Who can unblock it: an approver \(group:sre\) approves or rejects/);
  });
});

/** Strings that try every way out of text and attributes. */
const HOSTILE = ['<x-evil>', '"', "'", '&', '</textarea>', '<script>alert(1)</script>', '" onx="1', "' onx='1", '<!--', ']]>', '`', '✔', '&amp;', '{{x}}', ' '];

describe('escaping (seeded hostile values in every string)', () => {
  const random = prng(FUZZ_SEED);
  const evil = () => Array.from({ length: 1 + random.int(4) }, () => random.pick(HOSTILE)).join(random.pick(['', 'a', ' ']));
  for (let round = 0; round < 40; round++) {
    test(`round ${round} (seed ${FUZZ_SEED})`, () => {
      const viewer = { ...person(evil(), ['sre']), name: evil() };
      const gate = approval({
        gate: evil(),
        outcome: 'Pending',
        approvers: [evil(), 'group:sre'],
        approvals: [{ actor: evil(), at: at(20), comment: evil(), channel: 'link' }],
        refused: [{ actor: evil(), at: at(21), comment: evil(), action: 'approve', reason: evil() }],
      });
      const run = analysed();
      run.label = evil();
      run.metrics[0]!.name = evil();
      run.metrics[0]!.measurements[0]!.message = evil();
      const stage = waitingGate({
        stage: 'production',
        message: evil(),
        approvals: [gate],
        analyses: [run],
        steps: [{ index: 0, label: evil(), status: 'Pending', startedAt: null, finishedAt: null }],
        events: [{ at: at(30), kind: evil(), actor: evil(), message: evil() }],
        failure: { reason: 'AnalysisFailed', message: evil() },
      });
      const p = promotion({ version: evil(), requestedBy: evil(), message: evil(), events: [{ at: at(1), kind: 'started', actor: evil(), message: evil() }] });
      const page = renderReleasePage(view(viewer, { promotion: p, activeStage: stage }));
      assert.doesNotMatch(page, /<x-evil|<!--|onx=["']/);
      assert.equal(page.match(/<script/g)?.length, 1);
      assert.equal(page.match(/<\/textarea>/g)?.length, page.match(/<textarea /g)?.length ?? 0);
    });
  }
});

describe('the problem page', () => {
  test('says what and what next, escaped', () => {
    const page = renderProblemPage('No such release', 'no promotion <b>x</b>', 'ramp list shows them');
    assert.match(page, /<h1>No such release<\/h1>/);
    assert.match(page, /no promotion &lt;b&gt;x&lt;\/b&gt;/);
    assert.match(page, /ramp list shows them/);
  });
});
