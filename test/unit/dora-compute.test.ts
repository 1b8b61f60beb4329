/** DORA from ramp's commits (docs/dora.md): every definition and edge case, by hand, then on generated histories. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeDora } from '../../src/dora/compute.js';
import { frequencyBucket } from '../../src/dora/frequency.js';
import type { DeliveryCommit, DoraReport } from '../../src/dora/report.js';
import { DeliveryHistory, PIPELINE, STAGE } from '../support/delivery-history.js';
import { generateHistory, OUTCOMES, type TruthRelease } from '../support/dora-generator.js';
import { FUZZ_SEED, prng } from '../support/random.js';

const H = 3_600_000;
const D = 24 * H;
const SINCE = '2026-11-01T00:00:00.000Z';
const UNTIL = '2026-12-01T00:00:00.000Z';

function dora(commits: DeliveryCommit[], query: Partial<{ since: string; until: string; stage: string }> = {}, horizonDays?: number): DoraReport {
  return computeDora(commits, { pipeline: PIPELINE, stage: STAGE, since: SINCE, until: UNTIL, ...query }, horizonDays === undefined ? {} : { horizonDays });
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const before = (iso: string, ms: number) => new Date(Date.parse(iso) - ms).toISOString();

describe('deployments', () => {
  test('a full promotion (promote or update) is a deployment; canary steps are not', () => {
    const h = new DeliveryHistory();
    h.canary('1.0.0');
    h.canary('1.0.0', {}, 50);
    h.promote('1.0.0');
    const promoted = h.now;
    h.wait(H).promote('1.0.1', {}, 1, 'update');
    const r = dora(h.log());
    assert.equal(r.deploymentFrequency.deployments, 2);
    assert.equal(r.deploymentFrequency.perDay, 2 / 30);
    assert.deepEqual(
      r.releases.map((x) => [x.version, x.deployedAt, x.caught, x.failure]),
      [
        ['1.0.0', promoted, false, null],
        ['1.0.1', h.now, false, null],
      ],
    );
  });

  test('rollback promotions, drift, other stages and pipelines, and unknown steps are not deployments', () => {
    const h = new DeliveryHistory();
    h.rollback('0.9.0');
    h.drift();
    h.raw({ promotion: `${PIPELINE}@2.0.0`, stage: 'staging', step: '1/promote', version: '2.0.0' });
    h.raw({ promotion: `${PIPELINE}-api@2.0.0`, stage: STAGE, step: '1/promote', version: '2.0.0' });
    h.raw({ promotion: `${PIPELINE}@3.0.0`, stage: STAGE, step: '1/2/experiment', version: '3.0.0' });
    h.raw({ promotion: 'elsewhere', stage: STAGE, step: '1/promote', version: 'x' });
    const r = dora(h.log());
    assert.equal(r.deploymentFrequency.deployments, 0);
    assert.equal(r.deploymentFrequency.bucket, 'none');
    assert.equal(r.changeFailureRate.rate, null);
    assert.equal(r.canaryCatches.rateIncludingExposure, null);
    assert.deepEqual(
      r.releases.map((x) => [x.version, x.deployedAt]),
      [['3.0.0', null]],
    );
  });

  test('a retried release deployed twice (after a rollback) counts one deployment and one failure', () => {
    const h = new DeliveryHistory();
    const full = h.promote('1.0.0');
    h.wait(H).revert('1.0.0', full);
    h.wait(H).promote('1.0.0', {}, 2);
    const r = dora(h.log());
    assert.equal(r.deploymentFrequency.deployments, 1);
    assert.equal(r.changeFailureRate.failures, 1);
  });

  test('the period: deployments before since and commits at or after until are not counted', () => {
    const h = new DeliveryHistory('2026-10-31T00:00:00.000Z');
    const early = h.promote('0.9.0');
    h.wait(2 * D).revert('0.9.0', early); // a failure of a deployment before the period: not this period's
    h.wait(H).promote('1.0.0');
    const r = dora(h.log(), { until: new Date(Date.parse(h.now) + 1000).toISOString() });
    assert.equal(r.deploymentFrequency.deployments, 1);
    assert.equal(r.changeFailureRate.failures, 0);
    assert.deepEqual(
      r.releases.map((x) => x.version),
      ['0.9.0', '1.0.0'],
    );
    h.wait(H).promote('1.0.1');
    assert.equal(dora(h.log(), { until: h.now }).deploymentFrequency.deployments, 1, 'a commit at until is outside');
  });

  test('equal committer times keep git log order', () => {
    const commits: DeliveryCommit[] = [
      {
        sha: 'b'.repeat(40),
        committedAt: '2026-11-02T00:00:00Z',
        promotion: `${PIPELINE}@2`,
        stage: STAGE,
        step: '1/promote',
        version: '2',
        revertOf: null,
        source: null,
        fixes: null,
        detectedAt: null,
      },
      {
        sha: 'a'.repeat(40),
        committedAt: '2026-11-02T00:00:00Z',
        promotion: `${PIPELINE}@1`,
        stage: STAGE,
        step: '1/promote',
        version: '1',
        revertOf: null,
        source: null,
        fixes: null,
        detectedAt: null,
      },
      {
        sha: 'c'.repeat(40),
        committedAt: '2026-11-01T23:00:00Z',
        promotion: `${PIPELINE}@0`,
        stage: STAGE,
        step: '1/promote',
        version: '0',
        revertOf: null,
        source: null,
        fixes: null,
        detectedAt: null,
      },
    ];
    const rollback = { ...commits[0]!, sha: 'd'.repeat(40), committedAt: '2026-11-02T00:00:00Z', promotion: `${PIPELINE}@0:rollback:${STAGE}`, version: '0' };
    // Newest first: the rollback replaced 2 (live after 1), not 1.
    const r = dora([rollback, ...commits]);
    assert.deepEqual(
      r.releases.map((x) => [x.version, x.failure?.cause ?? null]),
      [
        ['0', null],
        ['1', null],
        ['2', 'rollback'],
      ],
    );
  });

  test('an invalid period is refused with what to give', () => {
    assert.throws(() => dora([], { since: 'yesterday' }), /not a period; give two ISO-8601 times/);
    assert.throws(() => dora([], { since: UNTIL, until: SINCE }), /not a period/);
    assert.throws(() => dora([], { since: '1900-01-01T00:00:00Z' }), /longer than 3660 days/);
  });
});

describe('lead time', () => {
  test('from the source time to the deployment; median and p90; without source counted apart', () => {
    const h = new DeliveryHistory();
    const leads: number[] = [];
    for (const [version, hours] of [
      ['1', 1],
      ['2', 2],
      ['3', 4],
    ] as const) {
      h.wait(D);
      const source = before(h.now, hours * H);
      h.canary(version, { source: { commit: 'abc', time: source } });
      h.promote(version, { source: { commit: 'abc', time: source } });
      leads.push(seconds(source, h.now));
    }
    h.wait(D).promote('4'); // no source
    h.wait(D).promote('5', { source: { commit: 'abc', time: new Date(Date.parse(h.now) + 10 * H).toISOString() } }); // negative: excluded
    h.wait(D).promote('6', { source: { time: 'not a time' } }); // unreadable: no source
    const r = dora(h.log());
    assert.deepEqual(r.leadTime, { samples: 3, medianSeconds: leads[1], p90Seconds: leads[1]! + 0.8 * (leads[2]! - leads[1]!), withoutSource: 2 });
    assert.deepEqual(
      r.releases.map((x) => x.leadTimeSeconds),
      [...leads, null, null, null],
    );
  });

  test('a superseded release carries its older source time to the next deployment (GitOps Promoter #574)', () => {
    const h = new DeliveryHistory();
    const older = before(h.now, 10 * H);
    h.canary('1', { source: { time: older } }); // written, never fully promoted
    h.wait(H).canary('2', { source: { time: before(h.now, 5 * H) } });
    h.revert('2', h.commits.at(-1)!.sha); // caught: its changes still ship later
    h.wait(H).canary('3', { source: { time: before(h.now, H) } });
    h.promote('3', { source: { time: before(h.now, H) } });
    const r = dora(h.log());
    assert.equal(r.releases.find((x) => x.version === '3')!.leadTimeSeconds, seconds(older, h.now));
    assert.deepEqual(
      r.releases.map((x) => [x.version, x.deployedAt !== null, x.caught]),
      [
        ['1', false, false],
        ['2', false, true],
        ['3', true, false],
      ],
    );
    // The next deployment starts afresh.
    h.wait(H).promote('4', { source: { time: before(h.now, H) } });
    assert.equal(dora(h.log()).releases.find((x) => x.version === '4')!.leadTimeSeconds, H / 1000 + 1);
  });

  test('a superseded source carries forward even when the deploying release has none', () => {
    const h = new DeliveryHistory();
    const older = before(h.now, 3 * H);
    h.canary('1', { source: { time: older } });
    h.wait(H).promote('2');
    const r = dora(h.log());
    assert.equal(r.leadTime.withoutSource, 0);
    assert.equal(r.leadTime.medianSeconds, seconds(older, h.now));
  });
});

describe('change failures and recovery', () => {
  test('ramp reverted the full promotion: a rollback failure, recovered at the revert, from its detected-at', () => {
    const h = new DeliveryHistory();
    const canary = h.canary('1');
    const full = h.promote('1');
    h.wait(H);
    const detected = h.now;
    h.wait(5 * 60_000);
    h.revert('1', full, detected);
    const reverted = h.now;
    h.revert('1', canary, detected);
    const r = dora(h.log());
    assert.deepEqual(r.releases[0]!.failure, { cause: 'rollback', detectedAt: detected, recoveredAt: reverted });
    assert.equal(r.releases[0]!.caught, false);
    assert.deepEqual(r.changeFailureRate, { failures: 1, deployments: 1, rate: 1, byCause: { rollback: 1, revert: 0, 'fix-forward': 0 } });
    assert.deepEqual(r.recovery, { samples: 1, medianSeconds: 301, p90Seconds: 301, open: 0 });
    assert.equal(r.canaryCatches.count, 0);
  });

  test("a detected-at later in the second of the remediation's commit (Git keeps seconds) is that second: recovery 0, not left out", () => {
    const h = new DeliveryHistory();
    const full = h.promote('1');
    h.wait(H);
    // The revert is committed a second later (the history's clock), the detection 0.7 s after that.
    h.revert('1', full, new Date(Date.parse(h.now) + 1_700).toISOString());
    const reverted = h.now;
    const r = dora(h.log());
    assert.deepEqual(r.releases[0]!.failure, { cause: 'rollback', detectedAt: reverted, recoveredAt: reverted });
    assert.deepEqual(r.recovery, { samples: 1, medianSeconds: 0, p90Seconds: 0, open: 0 });
  });

  test('without a detected-at, recovery counts from the remediation commit (zero)', () => {
    const h = new DeliveryHistory();
    const full = h.promote('1');
    h.wait(H).revert('1', full);
    assert.deepEqual(dora(h.log()).recovery, { samples: 1, medianSeconds: 0, p90Seconds: 0, open: 0 });
  });

  test("a person's git revert of the deployment commit (abbreviated sha): cause revert", () => {
    const h = new DeliveryHistory();
    h.promote('1');
    const full = h.promote('2');
    h.wait(H).humanRevert(full.slice(0, 12));
    const r = dora(h.log());
    assert.deepEqual(
      r.releases.map((x) => x.failure?.cause ?? null),
      [null, 'revert'],
    );
    assert.equal(r.changeFailureRate.byCause.revert, 1);
    assert.equal(r.changeFailureRate.rate, 0.5);
  });

  test('a rollback promotion replaces the live release: a rollback failure; a rollback of the rollback is none', () => {
    const h = new DeliveryHistory();
    h.promote('1');
    h.wait(D).promote('2');
    h.wait(H);
    const detected = h.now;
    h.wait(60_000).rollback('1', detected);
    const recovered = h.now;
    h.wait(H).rollback('0', h.now); // rolling back the version the rollback put back
    const r = dora(h.log());
    assert.deepEqual(
      r.releases.map((x) => [x.version, x.failure]),
      [
        ['1', null],
        ['2', { cause: 'rollback', detectedAt: detected, recoveredAt: recovered }],
      ],
    );
    assert.equal(r.changeFailureRate.failures, 1);
    assert.equal(r.deploymentFrequency.deployments, 2);
  });

  test('a rollback after a revert already put the older version back is no second failure', () => {
    const h = new DeliveryHistory();
    h.promote('1');
    const full = h.wait(H).promote('2');
    h.wait(H).revert('2', full);
    h.wait(H).rollback('0');
    const r = dora(h.log());
    assert.equal(r.changeFailureRate.failures, 1);
    assert.equal(r.releases[0]!.failure, null);
  });

  test('fix-forward: detected when the fix is first written, recovered when it is deployed; open until then', () => {
    const h = new DeliveryHistory();
    h.promote('1');
    h.wait(D).canary('2', { fixes: '1' });
    const detected = h.now;
    const open = dora(h.log());
    assert.deepEqual(open.releases[0]!.failure, { cause: 'fix-forward', detectedAt: detected, recoveredAt: null });
    assert.deepEqual(open.recovery, { samples: 0, medianSeconds: null, p90Seconds: null, open: 1 });
    h.wait(H).promote('2', { fixes: '1' });
    const r = dora(h.log());
    assert.deepEqual(r.releases[0]!.failure, { cause: 'fix-forward', detectedAt: detected, recoveredAt: h.now });
    assert.deepEqual(r.recovery, { samples: 1, medianSeconds: seconds(detected, h.now), p90Seconds: seconds(detected, h.now), open: 0 });
    assert.deepEqual(r.changeFailureRate.byCause, { rollback: 0, revert: 0, 'fix-forward': 1 });
    assert.equal(r.releases[1]!.failure, null);
  });

  test('a fix naming a version never deployed, or itself, is no failure', () => {
    const h = new DeliveryHistory();
    h.canary('1');
    h.revert('1', h.commits.at(-1)!.sha);
    h.wait(H).promote('2', { fixes: '1' });
    h.wait(H).promote('3', { fixes: '3' });
    h.wait(H).promote('4', { fixes: '9.9.9' });
    assert.equal(dora(h.log()).changeFailureRate.failures, 0);
  });

  test('once per release: the first remediation is the cause', () => {
    const h = new DeliveryHistory();
    const full = h.promote('1');
    h.wait(H).rollback('0');
    h.wait(H).humanRevert(full);
    h.wait(H).promote('2', { fixes: '1' });
    const r = dora(h.log());
    assert.deepEqual(r.changeFailureRate.byCause, { rollback: 1, revert: 0, 'fix-forward': 0 });
    assert.equal(r.changeFailureRate.failures, 1);
  });

  test('not counted when detected past the horizon (7 days by default)', () => {
    const h = new DeliveryHistory();
    h.promote('1');
    h.wait(8 * D).rollback('0');
    assert.equal(dora(h.log()).changeFailureRate.failures, 0);
    assert.equal(dora(h.log(), {}, 10).changeFailureRate.failures, 1);
  });

  test('a failure after until is not known yet', () => {
    const h = new DeliveryHistory();
    const full = h.promote('1');
    const until = new Date(Date.parse(h.now) + H).toISOString();
    h.wait(2 * H).revert('1', full);
    assert.equal(dora(h.log(), { until }).changeFailureRate.failures, 0);
  });
});

describe('caught in canary', () => {
  test('reverted by its own promotion before full exposure: a catch, not a deployment nor a failure', () => {
    const h = new DeliveryHistory();
    h.promote('1');
    const a = h.wait(H).canary('2');
    const b = h.canary('2', {}, 50);
    h.revert('2', b);
    h.revert('2', a);
    const r = dora(h.log());
    assert.deepEqual(r.canaryCatches, { count: 1, rateIncludingExposure: 0.5 });
    assert.deepEqual(r.changeFailureRate, { failures: 0, deployments: 1, rate: 0, byCause: { rollback: 0, revert: 0, 'fix-forward': 0 } });
    assert.equal(r.releases[1]!.caught, true);
  });

  test('caught, then retried and deployed: a deployment, not a catch', () => {
    const h = new DeliveryHistory();
    const a = h.canary('1');
    h.revert('1', a);
    h.wait(H).canary('1', {}, 10, 2);
    h.promote('1', {}, 2);
    const r = dora(h.log());
    assert.equal(r.canaryCatches.count, 0);
    assert.equal(r.deploymentFrequency.deployments, 1);
  });

  test('a canary left in place (automatic rollback off) is neither deployed nor caught', () => {
    const h = new DeliveryHistory();
    h.canary('1');
    const r = dora(h.log());
    assert.deepEqual([r.canaryCatches.count, r.deploymentFrequency.deployments, r.releases.length], [0, 0, 1]);
  });
});

describe("deployment frequency's bucket (fourkeys)", () => {
  const at = (iso: string) => Date.parse(iso);
  // 2026-11-01 is a Sunday: 13 full weeks to 2027-01-31.
  const since = at('2026-11-01T00:00:00Z');
  const until = at('2027-01-31T00:00:00Z');
  const days = (every: number, offsets: number[]) => {
    const out: number[] = [];
    for (let week = since; week < until; week += every * D) for (const o of offsets) out.push(week + o * D + H);
    return out;
  };
  const cases: [string, number[], string][] = [
    ['none', [], 'none'],
    ['three days a week: daily', days(7, [1, 3, 5]), 'daily'],
    ['two days a week: weekly', days(7, [1, 3]), 'weekly'],
    ['every other week: most weeks, weekly', days(14, [2]), 'weekly'],
    ['every third week: monthly', days(21, [2]), 'monthly'],
    ['once in three months: yearly', [since + 40 * D], 'yearly'],
    ['three days a week in 6 of 13 weeks: monthly (the median week had none)', days(7, [1, 2, 3]).slice(0, 18), 'monthly'],
  ];
  for (const [name, deployments, expected] of cases) test(name, () => assert.equal(frequencyBucket(deployments, since, until), expected));
});

describe('generated histories: the four answers known in advance', () => {
  const HORIZON = 7;
  const quantile = (values: number[], p: number): number | null => {
    if (values.length === 0) return null;
    const s = [...values].sort((a, b) => a - b);
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
  };
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  /** The report as the generator's ground truth says it must be, as of `until`. */
  function expected(releases: TruthRelease[], since: number, until: number): DoraReport {
    const seen = releases.map((r) => {
      const deployedAt = r.deployedAt !== null && r.deployedAt < until ? r.deployedAt : null;
      const caughtAt = r.caughtAt !== null && r.caughtAt < until ? r.caughtAt : null;
      const failure =
        r.failure && deployedAt !== null && r.failure.observedAt < until
          ? {
              cause: r.failure.cause,
              detectedAt: r.failure.detectedAt,
              recoveredAt: r.failure.recoveredAt !== null && r.failure.recoveredAt < until ? r.failure.recoveredAt : null,
            }
          : null;
      const lead = deployedAt !== null && r.leadFrom !== null && deployedAt - r.leadFrom > 0 ? (deployedAt - r.leadFrom) / 1000 : null;
      return { r, deployedAt, caughtAt, failure, lead, inPeriod: r.commitTimes.some((t) => t >= since && t < until) };
    });
    const within = (t: number | null) => t !== null && t >= since && t < until;
    const deployed = seen.filter((x) => within(x.deployedAt));
    const caught = seen.filter((x) => x.deployedAt === null && within(x.caughtAt));
    const failed = deployed.filter((x) => x.failure !== null);
    const leads = deployed.flatMap((x) => (x.lead === null ? [] : [x.lead]));
    const recoveries = failed.flatMap((x) => (x.failure!.recoveredAt === null ? [] : [(x.failure!.recoveredAt - x.failure!.detectedAt) / 1000]));
    const byCause = { rollback: 0, revert: 0, 'fix-forward': 0 };
    for (const x of failed) byCause[x.failure!.cause]++;
    return {
      pipeline: PIPELINE,
      stage: STAGE,
      since: iso(since)!,
      until: iso(until)!,
      deploymentFrequency: {
        deployments: deployed.length,
        perDay: deployed.length / ((until - since) / D),
        // The bucket's rule is tested by its own table above; here, over the true deployments.
        bucket: frequencyBucket(
          deployed.map((x) => x.deployedAt!),
          since,
          until,
        ),
      },
      leadTime: {
        samples: leads.length,
        medianSeconds: quantile(leads, 0.5),
        p90Seconds: quantile(leads, 0.9),
        withoutSource: deployed.filter((x) => x.r.leadFrom === null).length,
      },
      changeFailureRate: { failures: failed.length, deployments: deployed.length, rate: deployed.length > 0 ? failed.length / deployed.length : null, byCause },
      canaryCatches: {
        count: caught.length,
        rateIncludingExposure: deployed.length + caught.length > 0 ? (failed.length + caught.length) / (deployed.length + caught.length) : null,
      },
      recovery: {
        samples: recoveries.length,
        medianSeconds: quantile(recoveries, 0.5),
        p90Seconds: quantile(recoveries, 0.9),
        open: failed.filter((x) => x.failure!.recoveredAt === null).length,
      },
      releases: seen
        .filter((x) => x.inPeriod)
        .map((x) => ({
          version: x.r.version,
          promotion: `${PIPELINE}@${x.r.version}`,
          deployedAt: iso(x.deployedAt),
          leadTimeSeconds: x.lead,
          caught: x.deployedAt === null && x.caughtAt !== null,
          failure: x.failure && { cause: x.failure.cause, detectedAt: iso(x.failure.detectedAt)!, recoveredAt: iso(x.failure.recoveredAt) },
        })),
    };
  }

  test(`200 seeds from ${FUZZ_SEED}: computeDora equals the ground truth`, () => {
    const outcomes = new Map<string, number>();
    const seenInReports = {
      deployments: 0,
      catches: 0,
      rollback: 0,
      revert: 0,
      'fix-forward': 0,
      open: 0,
      withoutSource: 0,
      leadSamples: 0,
      recoveries: 0,
      beforeUntil: 0,
    };
    for (let seed = FUZZ_SEED; seed < FUZZ_SEED + 200; seed++) {
      const random = prng(seed);
      const g = generateHistory(random, HORIZON);
      for (const r of g.releases) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      const since = g.start + random.int(2 * D);
      const until = random.chance(0.5) ? g.end + D : since + H + random.int(g.end - since);
      if (until < g.end) seenInReports.beforeUntil++;
      const want = expected(g.releases, since, until);
      const got = computeDora(g.history.log(), { pipeline: PIPELINE, stage: STAGE, since: iso(since)!, until: iso(until)! }, { horizonDays: HORIZON });
      assert.deepEqual(got, want, `seed ${seed}`);
      seenInReports.deployments += got.deploymentFrequency.deployments;
      seenInReports.catches += got.canaryCatches.count;
      for (const cause of ['rollback', 'revert', 'fix-forward'] as const) seenInReports[cause] += got.changeFailureRate.byCause[cause];
      seenInReports.open += got.recovery.open;
      seenInReports.withoutSource += got.leadTime.withoutSource;
      seenInReports.leadSamples += got.leadTime.samples;
      seenInReports.recoveries += got.recovery.samples;
    }
    for (const outcome of OUTCOMES) assert.ok((outcomes.get(outcome) ?? 0) > 0, `no release was ${outcome}`);
    for (const [what, n] of Object.entries(seenInReports)) assert.ok(n > 0, `the generated histories never gave ${what}: ${JSON.stringify(seenInReports)}`);
  });
});

test(`fuzz: hostile commit lists never throw and give rates in [0, 1] (seed ${FUZZ_SEED})`, () => {
  const random = prng(FUZZ_SEED);
  const shas = Array.from({ length: 12 }, (_, i) => `${i.toString(16)}`.repeat(40).slice(0, 40));
  const pick = <T>(...items: T[]) => random.pick(items);
  const time = () =>
    pick(
      'not a date',
      '',
      '2026-13-45T99:00:00Z',
      new Date(Date.parse(SINCE) + random.int(40 * D) - 5 * D).toISOString(),
      new Date(Date.parse(SINCE) + random.int(20 * D)).toISOString(),
      new Date(Date.parse(SINCE) + random.int(20 * D)).toISOString(),
      new Date(Date.parse(SINCE) + random.int(40 * D)).toISOString().replace('Z', '+02:00'),
      '1970-01-01T00:00:00Z',
    );
  const text = () => pick('', ' ', '1.0.0', '1', '2', '9.9.9', 'drift', '\n', 'Ramp-Step: x', '@', ':rollback:');
  const commit = (): DeliveryCommit => ({
    sha: random.pick(shas),
    committedAt: time(),
    promotion: pick(
      '',
      `${PIPELINE}@${text()}`,
      `${PIPELINE}@1`,
      `${PIPELINE}@2`,
      `${PIPELINE}@1:rollback:${STAGE}`,
      `${PIPELINE}@1:rollback:${STAGE}`,
      `${PIPELINE}@2:rollback:`,
      'other@1',
      PIPELINE,
      `${PIPELINE}@`,
    ),
    stage: pick(STAGE, STAGE, STAGE, '', 'staging'),
    step: pick('', '1/promote', '2/update', '1/rollback', '1/0/setWeight-10', 'promote', '/promote', 'drift-accept', 'x/y/z', text()),
    version: pick(null, text()),
    revertOf: pick(null, null, null, random.pick(shas), random.pick(shas).slice(0, 7), '', 'abc', text()),
    source: pick(null, { commit: null, time: null }, { commit: text(), time: time() }),
    fixes: pick(null, text()),
    detectedAt: pick(null, time()),
  });
  const inUnit = (x: number | null) => x === null || (x >= 0 && x <= 1);
  const nonNegative = (x: number | null) => x === null || (Number.isFinite(x) && x >= 0);
  const reached = { deployments: 0, failures: 0, catches: 0 };
  for (let i = 0; i < 500; i++) {
    const commits = Array.from({ length: random.int(40) }, commit);
    const r = dora(commits, {}, pick(0, 7, 1e6));
    reached.deployments += r.deploymentFrequency.deployments;
    reached.failures += r.changeFailureRate.failures;
    reached.catches += r.canaryCatches.count;
    const context = JSON.stringify(r);
    assert.ok(inUnit(r.changeFailureRate.rate) && inUnit(r.canaryCatches.rateIncludingExposure), context);
    assert.ok(r.changeFailureRate.failures <= r.changeFailureRate.deployments, context);
    assert.ok(r.recovery.open + r.recovery.samples <= r.changeFailureRate.failures, context);
    assert.ok(r.leadTime.samples + r.leadTime.withoutSource <= r.deploymentFrequency.deployments, context);
    for (const x of [r.leadTime.medianSeconds, r.leadTime.p90Seconds, r.recovery.medianSeconds, r.recovery.p90Seconds, r.deploymentFrequency.perDay])
      assert.ok(nonNegative(x), context);
    for (const release of r.releases) assert.ok(release.leadTimeSeconds === null || release.leadTimeSeconds > 0, context);
  }
  for (const [what, n] of Object.entries(reached)) assert.ok(n > 0, `the hostile lists never reached ${what}: ${JSON.stringify(reached)}`);
});
