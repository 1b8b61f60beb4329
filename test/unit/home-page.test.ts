/**
 * The home page from hand-built views: what waits for the viewer first, then running and recent
 * promotions, then what is live where (liveVersions, a table over promotion records); escaping.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { liveVersions, type HomeView } from '../../server/ui/home-data.js';
import { renderHomePage } from '../../server/ui/home-page.js';
import type { Actor } from '../../src/identity/actor.js';
import type { PromotionStatus } from '../../workflows/messages.js';
import { at, preview, promotion } from '../cli/status-fixtures.js';
import { FUZZ_SEED, prng } from '../support/random.js';

const viewer: Actor = { subject: 'sub-sam', name: 'sam', email: null, groups: ['sre'], issuer: 'https://issuer.test', method: 'oidc' };
const squash = (page: string) => page.replace(/\s+/g, ' ').replace(/> </g, '><');

const done = (version: string, finished: number, stages: Record<string, 'Promoted' | 'RolledBack' | 'Pending'>, by = 'rm'): PromotionStatus =>
  promotion({
    promotionId: `web@${version}`,
    version,
    phase: 'Succeeded',
    requestedBy: by,
    activeStage: null,
    finishedAt: at(finished),
    stages: Object.entries(stages).map(([name, phase]) => ({
      name,
      workflowId: `web/${name}`,
      attempt: 1,
      phase,
      result: phase === 'Promoted' ? { ...preview(), stage: name, events: [{ at: at(finished - 1), kind: 'promoted', message: 'stable' }] } : null,
    })),
  });

describe('what is live where', () => {
  const cases: [string, PromotionStatus[], string[]][] = [
    ['nothing promoted yet', [done('1.0.0', 10, { preview: 'Pending' })], []],
    [
      'the newest promotion of each stage, whoever asked',
      [done('1.1.0', 30, { preview: 'Promoted', production: 'RolledBack' }, 'ann'), done('1.0.0', 10, { preview: 'Promoted', production: 'Promoted' })],
      ['web preview 1.1.0 2026-11-21T09:00:29.000Z ann', 'web production 1.0.0 2026-11-21T09:00:09.000Z rm'],
    ],
    [
      'a rolled-back stage keeps what was live; order of the records does not matter',
      [done('1.0.0', 10, { preview: 'Promoted' }), done('1.2.0', 40, { preview: 'Promoted' }), done('1.1.0', 20, { preview: 'Promoted' })],
      ['web preview 1.2.0 2026-11-21T09:00:39.000Z rm'],
    ],
  ];
  for (const [name, records, expected] of cases) {
    test(name, () => {
      const got = liveVersions(records).flatMap((p) => p.stages.map((s) => `${p.pipeline} ${s.stage} ${s.version} ${s.since} ${s.by}`));
      assert.deepEqual(got, expected);
    });
  }
});

const home = (more: Partial<HomeView> = {}): HomeView => ({
  viewer,
  waiting: [{ promotionId: 'web@1.4.2', pipeline: 'web', version: '1.4.2', stage: 'production', sentence: 'stage production is waiting for 1 approval(s)' }],
  running: [{ id: 'web@1.4.2', phase: 'AwaitingApproval', stage: 'production', waitingFor: ['group:sre'], startedAt: at(0), closedAt: null, message: null }],
  recent: [{ id: 'web@1.4.1', phase: 'Succeeded', stage: 'production', waitingFor: [], startedAt: at(0), closedAt: at(9), message: '1.4.1 is stable' }],
  live: [{ pipeline: 'web', stages: [{ stage: 'production', version: '1.4.1', since: at(9), by: 'rm', promotionId: 'web@1.4.1' }] }],
  truncated: false,
  ...more,
});

describe('the home page', () => {
  test('waiting for me first, then running, recent and live, each linking to its release page', () => {
    const page = squash(renderHomePage(home()));
    const order = ['Waiting for you', 'Running', 'Recent outcomes', 'Live now'].map((h) => page.indexOf(`>${h}</h2>`));
    assert.ok(
      order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1]!)),
      `sections in order: ${order.join(', ')}`,
    );
    assert.match(
      page,
      /<ul class="waiting-for-me"><li><span class="mark" aria-hidden="true">‖<\/span><span class="sr">waiting<\/span> ?<a href="\/releases\/web%401\.4\.2">web 1\.4\.2<\/a>, stage production: stage production is waiting for 1 approval\(s\) ?<\/li>/,
    );
    assert.match(
      page,
      /<td><a href="\/releases\/web%401\.4\.2">web@1\.4\.2<\/a><\/td><td data-phase="AwaitingApproval"><span class="mark" aria-hidden="true">‖<\/span>AwaitingApproval<\/td><td>production<\/td>/,
    );
    assert.match(page, /waits for group:sre/);
    assert.match(
      page,
      /<td>production<\/td><td><a href="\/releases\/web%401\.4\.1">1\.4\.1<\/a><\/td><td><time datetime="2026-11-21T09:00:09\.000Z">2026-11-21 09:00:09 UTC<\/time><\/td><td>rm<\/td>/,
    );
    assert.match(page, /<main id="home" data-fragment="\/home\/main">/);
    assert.match(page, /<script type="module" src="\/assets\/ramp\.js"><\/script>/);
    assert.match(page, /<caption> ?web · <a href="\/pipelines\/web\/dora">DORA figures<\/a> ?<\/caption>/);
  });

  test('empty sections say so', () => {
    const page = renderHomePage(home({ waiting: [], running: [], recent: [], live: [], truncated: true }));
    assert.match(page, /Nothing waits for your approval\./);
    assert.match(page, /No promotion is running\./);
    assert.match(page, /ramp list --all/);
  });

  test('hostile values are escaped', () => {
    const random = prng(FUZZ_SEED);
    const pieces = ['<x-evil>', '"', "'", '&', '<script>', '" onx="1'];
    const evil = () => Array.from({ length: 1 + random.int(4) }, () => random.pick(pieces)).join('');
    for (let round = 0; round < 30; round++) {
      const page = renderHomePage(
        home({
          viewer: { ...viewer, name: evil() },
          waiting: [{ promotionId: evil(), pipeline: evil(), version: evil(), stage: evil(), sentence: evil() }],
          running: [{ id: evil(), phase: evil(), stage: evil(), waitingFor: [evil()], startedAt: at(0), closedAt: null, message: null }],
          recent: [{ id: evil(), phase: 'Succeeded', stage: null, waitingFor: [], startedAt: at(0), closedAt: at(1), message: evil() }],
          live: [{ pipeline: evil(), stages: [{ stage: evil(), version: evil(), since: at(1), by: evil(), promotionId: evil() }] }],
        }),
      );
      assert.doesNotMatch(page, /<x-evil|onx="/);
      assert.equal(page.match(/<script/g)?.length, 1);
    }
  });
});
